import {
  Anchor,
  Button,
  Group,
  Modal,
  Pagination,
  Paper,
  Select,
  Stack,
  Table,
  TextInput,
  VisuallyHidden,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { QueryState } from '../../components/query-state';
import { formatDateTime } from '../../lib/i18n';
import { usePermission } from '../../lib/permissions';
import { RoleAssignModal, type StartedRun } from './role-assign-modal';
import { LiveRoleRun, RoleRunLog, RoleRunStatusBadge } from './role-run-log';
import {
  RUNS_PAGE_SIZE,
  rolesQueryOptions,
  roleRunsQueryOptions,
  type RoleRun,
  type RoleRunListQuery,
} from './roles.queries';

const STATUSES = ['running', 'succeeded', 'failed'] as const;
type RunStatus = (typeof STATUSES)[number];

function isRunStatus(value: string | null): value is RunStatus {
  return STATUSES.some((status) => status === value);
}

/**
 * The history of role runs (GET /api/roles/runs), newest first, with filters by role and status (and server,
 * unless `server` fixes it); each run's output opens in a dialog, and an apply or a dry run can be run again
 * from its role and values (secret ones are asked again: they are never kept). Refreshed when a run ends.
 */
export function RoleRunsTable({ server }: { server?: string }) {
  const { t } = useTranslation();
  const canAssign = usePermission('assign_roles');
  const roles = useQuery(rolesQueryOptions);
  const [filters, setFilters] = useState<{ server: string; role: string | null; status: RunStatus | null }>({
    server: '',
    role: null,
    status: null,
  });
  const [page, setPage] = useState(1);
  const query: RoleRunListQuery = {
    page,
    per_page: RUNS_PAGE_SIZE,
    ...(server !== undefined ? { server } : filters.server.trim() ? { server: filters.server.trim() } : {}),
    ...(filters.role ? { role: filters.role } : {}),
    ...(filters.status ? { status: filters.status } : {}),
  };
  const runs = useQuery(roleRunsQueryOptions(query));
  const [shown, setShown] = useState<number | null>(null);
  const [again, setAgain] = useState<RoleRun | null>(null);
  const [started, setStarted] = useState<{ run: StartedRun; server: string } | null>(null);
  const filtered = Boolean(filters.role ?? filters.status ?? (server === undefined && filters.server.trim()));
  const pages = runs.data?.pagination.pages ?? 0;

  const change = (next: Partial<typeof filters>) => {
    setFilters((previous) => ({ ...previous, ...next }));
    setPage(1);
  };

  return (
    <Stack gap="sm">
      <Group gap="sm" align="flex-end" wrap="wrap">
        {server === undefined ? (
          <TextInput
            label={t('ansibleRoles.history.server')}
            value={filters.server}
            onChange={(event) => {
              change({ server: event.currentTarget.value });
            }}
          />
        ) : null}
        <Select
          label={t('ansibleRoles.history.role')}
          placeholder={t('ansibleRoles.history.any')}
          clearable
          data={(roles.data ?? []).map((role) => role.name)}
          value={filters.role}
          onChange={(role) => {
            change({ role });
          }}
        />
        <Select
          label={t('ansibleRoles.history.status')}
          placeholder={t('ansibleRoles.history.any')}
          clearable
          data={STATUSES.map((status) => ({ value: status, label: t(`ansibleRoles.statuses.${status}`) }))}
          value={filters.status}
          onChange={(status) => {
            change({ status: isRunStatus(status) ? status : null });
          }}
        />
      </Group>
      <QueryState
        query={runs}
        errorMessage={(error) => t('ansibleRoles.loadFailed', { error: error.message })}
        rows={2}
        rowHeight={40}
        isEmpty={(data) => data.items.length === 0}
        empty={filtered ? t('ansibleRoles.history.emptyFiltered') : t('ansibleRoles.history.empty')}
      >
        {(data) => (
          <Paper withBorder radius="md">
            <Table.ScrollContainer minWidth={640}>
              <Table verticalSpacing="xs" highlightOnHover aria-label={t('ansibleRoles.history.label')}>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>#</Table.Th>
                    {server === undefined ? <Table.Th>{t('ansibleRoles.history.server')}</Table.Th> : null}
                    <Table.Th>{t('ansibleRoles.history.role')}</Table.Th>
                    <Table.Th>{t('ansibleRoles.history.action')}</Table.Th>
                    <Table.Th>{t('ansibleRoles.history.status')}</Table.Th>
                    <Table.Th>{t('ansibleRoles.history.started')}</Table.Th>
                    <Table.Th>{t('ansibleRoles.history.finished')}</Table.Th>
                    <Table.Th>
                      <VisuallyHidden>{t('ansibleRoles.history.showLog', { id: '' })}</VisuallyHidden>
                    </Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {data.items.map((run) => (
                    <Table.Tr key={run.id} data-testid={`role-run-row-${String(run.id)}`}>
                      <Table.Td>{run.id}</Table.Td>
                      {server === undefined ? (
                        <Table.Td>
                          <Anchor component={Link} to={`/servers/${encodeURIComponent(run.server)}?tab=role`}>
                            {run.server}
                          </Anchor>
                        </Table.Td>
                      ) : null}
                      <Table.Td>{run.role}</Table.Td>
                      <Table.Td>{t(`ansibleRoles.actions.${run.action}`)}</Table.Td>
                      <Table.Td>
                        <RoleRunStatusBadge status={run.status} />
                      </Table.Td>
                      <Table.Td>
                        <time dateTime={run.started_at}>{formatDateTime(run.started_at)}</time>
                      </Table.Td>
                      <Table.Td>
                        {run.finished_at ? (
                          <time dateTime={run.finished_at}>{formatDateTime(run.finished_at)}</time>
                        ) : (
                          '—'
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Group gap="xs" wrap="nowrap" justify="flex-end">
                          <Button
                            size="compact-xs"
                            variant="light"
                            aria-label={t('ansibleRoles.history.showLog', { id: run.id })}
                            onClick={() => {
                              setShown(run.id);
                            }}
                          >
                            {t('ansibleRoles.history.showLog', { id: run.id })}
                          </Button>
                          {canAssign && run.action !== 'remove' && run.status !== 'running' ? (
                            <Button
                              size="compact-xs"
                              variant="default"
                              aria-label={t('ansibleRoles.history.rerunOf', {
                                role: run.role,
                                server: run.server,
                              })}
                              onClick={() => {
                                setAgain(run);
                              }}
                            >
                              {t('ansibleRoles.history.rerun')}
                            </Button>
                          ) : null}
                        </Group>
                      </Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Paper>
        )}
      </QueryState>
      {pages > 1 ? (
        <nav aria-label={t('ansibleRoles.history.label')}>
          <Pagination
            total={pages}
            value={Math.min(page, pages)}
            onChange={setPage}
            siblings={1}
            boundaries={1}
            getControlProps={(control) =>
              control === 'previous' || control === 'next'
                ? { 'aria-label': t(`ansibleRoles.history.${control}`) }
                : {}
            }
          />
        </nav>
      ) : null}
      {shown !== null ? (
        <Modal
          opened
          size="xl"
          title={t('ansibleRoles.history.showLog', { id: shown })}
          onClose={() => {
            setShown(null);
          }}
        >
          <RoleRunLog runId={shown} />
        </Modal>
      ) : null}
      {again ? (
        <RoleAssignModal
          names={[again.server]}
          initialRole={again.role}
          earlier={again.variables}
          onClose={() => {
            setAgain(null);
          }}
          onStarted={(run) => {
            setStarted({ run, server: again.server });
            setAgain(null);
          }}
        />
      ) : null}
      {started ? (
        <Modal
          opened
          size="xl"
          title={t('ansibleRoles.assign.started', { role: started.run.role, name: started.server })}
          onClose={() => {
            setStarted(null);
          }}
        >
          <LiveRoleRun taskId={started.run.taskId} server={started.server} />
        </Modal>
      ) : null}
    </Stack>
  );
}
