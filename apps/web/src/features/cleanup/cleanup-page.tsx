import { Alert, Anchor, Badge, Button, Checkbox, Group, Stack, Table, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { modals } from '@mantine/modals';
import { IconAlertCircle, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { QueryState } from '../../components/query-state';
import { formatDateTime } from '../../lib/i18n';
import { usePermission } from '../../lib/permissions';
import { usePollInterval } from '../../lib/sse';
import { cleanupCandidatesQueryOptions, useCleanServers, type CleanupCandidate } from './cleanup.queries';

const KIND_COLOR: Record<CleanupCandidate['kind'], string> = {
  failed: 'red',
  stuck_creating: 'orange',
  missing: 'gray',
  orphan_vm: 'grape',
};
const POLL_MS = 10_000;

/**
 * Cleanup (docs/api.md §12): failed, stalled and vanished servers and orphan VMs; cleaning some after a
 * confirmation that names them and says what is destroyed, then the task to follow.
 */
export function CleanupPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('cleanup.title')} · ${t('app.name')}`);
  const canClean = usePermission('manage_servers');
  const list = useQuery({ ...cleanupCandidatesQueryOptions, refetchInterval: usePollInterval(POLL_MS) });
  const clean = useCleanServers();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [taskId, setTaskId] = useState<string | null>(null);

  const confirm = (names: string[]) => {
    modals.openConfirmModal({
      title: t('cleanup.confirmTitle', { count: names.length, names: names.join(', ') }),
      children: <Text size="sm">{t('cleanup.confirmBody', { names: names.join(', ') })}</Text>,
      labels: { confirm: t('cleanup.confirm'), cancel: t('common.cancel') },
      confirmProps: { color: 'red' },
      onConfirm: () => {
        clean.mutate(names, {
          onSuccess: (accepted) => {
            setTaskId(accepted.task_id);
            setSelected(new Set());
          },
        });
      },
    });
  };

  const candidates = list.data ?? [];
  const toggle = (name: string) => {
    const next = new Set(selected);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setSelected(next);
  };

  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          {t('cleanup.title')}
        </Title>
        <Text c="dimmed">{t('cleanup.description')}</Text>
      </div>
      {taskId ? (
        <Alert color="teal" role="status">
          {t('cleanup.queued')}{' '}
          <Anchor component={Link} to={`/tasks/${taskId}`}>
            {t('cleanup.openTask')}
          </Anchor>
        </Alert>
      ) : null}
      {clean.isError ? (
        <Alert color="red" icon={<IconAlertCircle size={18} />}>
          {t('cleanup.failed', { error: clean.error.message })}
        </Alert>
      ) : null}
      {canClean && selected.size > 0 ? (
        <Group>
          <Button
            color="red"
            leftSection={<IconTrash size={16} />}
            onClick={() => {
              confirm([...selected]);
            }}
          >
            {t('cleanup.cleanSelected', { count: selected.size })}
          </Button>
        </Group>
      ) : null}
      <QueryState
        query={list}
        errorTitle={t('cleanup.loadFailed')}
        rows={1}
        rowHeight={120}
        isEmpty={() => candidates.length === 0}
        empty={t('cleanup.empty')}
      >
        {() => (
          <Table.ScrollContainer minWidth={720}>
            <Table striped highlightOnHover>
              <Table.Thead>
                <Table.Tr>
                  {canClean ? (
                    <Table.Th w={40}>
                      <Checkbox
                        aria-label={t('cleanup.selectAll')}
                        checked={selected.size === candidates.length}
                        indeterminate={selected.size > 0 && selected.size < candidates.length}
                        onChange={() => {
                          setSelected(
                            selected.size === candidates.length
                              ? new Set()
                              : new Set(candidates.map((c) => c.server_name)),
                          );
                        }}
                      />
                    </Table.Th>
                  ) : null}
                  <Table.Th>{t('cleanup.columns.name')}</Table.Th>
                  <Table.Th>{t('cleanup.columns.kind')}</Table.Th>
                  <Table.Th>{t('cleanup.columns.vm')}</Table.Th>
                  <Table.Th>{t('cleanup.columns.error')}</Table.Th>
                  <Table.Th>{t('cleanup.columns.since')}</Table.Th>
                  {canClean ? <Table.Th /> : null}
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {candidates.map((candidate) => (
                  <Table.Tr
                    key={`${candidate.kind}:${candidate.server_name}`}
                    data-testid={`candidate-${candidate.server_name}`}
                  >
                    {canClean ? (
                      <Table.Td>
                        <Checkbox
                          aria-label={t('cleanup.select', { name: candidate.server_name })}
                          checked={selected.has(candidate.server_name)}
                          onChange={() => {
                            toggle(candidate.server_name);
                          }}
                        />
                      </Table.Td>
                    ) : null}
                    <Table.Td>
                      <Text fw={500}>{candidate.server_name}</Text>
                    </Table.Td>
                    <Table.Td>
                      <Badge color={KIND_COLOR[candidate.kind]} variant="light">
                        {t(`cleanup.kinds.${candidate.kind}`)}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {candidate.vmid !== null ? `${String(candidate.vmid)} · ${candidate.node ?? '—'}` : '—'}
                    </Table.Td>
                    <Table.Td>
                      <Text size="sm" style={{ wordBreak: 'break-word' }}>
                        {candidate.error ?? '—'}
                      </Text>
                    </Table.Td>
                    <Table.Td>{candidate.since ? formatDateTime(candidate.since) : '—'}</Table.Td>
                    {canClean ? (
                      <Table.Td>
                        <Button
                          size="xs"
                          color="red"
                          variant="light"
                          onClick={() => {
                            confirm([candidate.server_name]);
                          }}
                        >
                          {t('cleanup.clean')}
                        </Button>
                      </Table.Td>
                    ) : null}
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </Table.ScrollContainer>
        )}
      </QueryState>
    </Stack>
  );
}
