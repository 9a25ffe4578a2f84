import {
  Anchor,
  Badge,
  Button,
  Code,
  Group,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { IconDownload } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState, type SubmitEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { QueryState } from '../../components/query-state';
import { formatDateTime } from '../../lib/i18n';
import type { AuditListQuery } from '../../lib/query-keys';
import { auditExportHref, auditQueryOptions, type AuditEntry } from './admin.queries';
import { Pager } from '../../components/pager';

const PER_PAGE = 50;
const RESULTS = ['succeeded', 'refused', 'invalid', 'failed'] as const;
const RESULT_COLOR = { succeeded: 'teal', refused: 'orange', invalid: 'yellow', failed: 'red' } as const;

interface Filters {
  actor: string;
  action: string;
  target: string;
  result: string;
}

const NO_FILTERS: Filters = { actor: '', action: '', target: '', result: '' };

function queryOf(filters: Filters, page: number): AuditListQuery {
  return {
    page,
    per_page: PER_PAGE,
    ...(filters.actor.trim() ? { actor: filters.actor.trim() } : {}),
    ...(filters.action.trim() ? { action: filters.action.trim() } : {}),
    ...(filters.target.trim() ? { target: filters.target.trim() } : {}),
    ...(filters.result ? { result: filters.result as AuditEntry['result'] } : {}),
  };
}

function EntryRow({ entry }: { entry: AuditEntry }) {
  const { t } = useTranslation();
  return (
    <Table.Tr>
      <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatDateTime(entry.at)}</Table.Td>
      <Table.Td>
        <Text size="sm">{entry.actor ?? t('audit.anonymous')}</Text>
        {entry.via === 'token' ? (
          <Badge size="xs" variant="light">
            {t('audit.viaToken')}
          </Badge>
        ) : null}
      </Table.Td>
      <Table.Th scope="row" fw={400}>
        <Code>{entry.action}</Code>
        <details>
          <summary>
            <Text component="span" size="xs" c="dimmed">
              {t('audit.details')}
            </Text>
          </summary>
          <Code block>{JSON.stringify(entry.params, null, 2)}</Code>
        </details>
      </Table.Th>
      <Table.Td style={{ wordBreak: 'break-all' }}>{entry.target ?? '—'}</Table.Td>
      <Table.Td>
        <Badge color={RESULT_COLOR[entry.result]} variant="light">
          {t(`audit.result.${entry.result}`)} · {entry.status}
        </Badge>
        {entry.error_code ? (
          <Text size="xs" c="dimmed">
            {entry.error_code}
          </Text>
        ) : null}
      </Table.Td>
      <Table.Td>
        {entry.task_id ? (
          <Stack gap={0}>
            <Anchor
              component={Link}
              to={`/tasks/${entry.task_id}`}
              size="sm"
              aria-label={t('audit.openTask', { id: entry.task_id })}
            >
              {entry.task_id.slice(0, 8)}
            </Anchor>
            {entry.upids.length > 0 ? (
              <Text size="xs" c="dimmed" title={entry.upids.join('\n')}>
                {t('audit.upids', { count: entry.upids.length })}
              </Text>
            ) : null}
          </Stack>
        ) : (
          '—'
        )}
      </Table.Td>
      <Table.Td>{entry.ip}</Table.Td>
    </Table.Tr>
  );
}

/** The audit trail: filters, pages, a link from each entry to its task, and the CSV export. */
export function AuditPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('audit.title')} · ${t('app.name')}`);
  const [draft, setDraft] = useState<Filters>(NO_FILTERS);
  const [filters, setFilters] = useState<Filters>(NO_FILTERS);
  const [page, setPage] = useState(1);
  const query = queryOf(filters, page);
  const list = useQuery(auditQueryOptions(query));
  const field = (name: keyof Filters) => ({
    value: draft[name],
    onChange: (event: { currentTarget: { value: string } }) => {
      const value = event.currentTarget.value;
      setDraft((current) => ({ ...current, [name]: value }));
    },
  });
  const apply = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setFilters(draft);
    setPage(1);
  };

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start" gap="sm">
        <div>
          <Title order={1} size="h2">
            {t('audit.title')}
          </Title>
          <Text c="dimmed">{t('audit.description')}</Text>
        </div>
        <Button
          component="a"
          href={auditExportHref(query)}
          download
          variant="light"
          leftSection={<IconDownload size={16} />}
        >
          {t('audit.export')}
        </Button>
      </Group>

      <form onSubmit={apply}>
        <SimpleGrid cols={{ base: 1, xs: 2, md: 5 }} spacing="sm" verticalSpacing="xs">
          <TextInput label={t('audit.filters.actor')} {...field('actor')} />
          <TextInput label={t('audit.filters.action')} {...field('action')} />
          <TextInput label={t('audit.filters.target')} {...field('target')} />
          <Select
            label={t('audit.filters.result')}
            data={[
              { value: '', label: t('audit.filters.any') },
              ...RESULTS.map((result) => ({ value: result, label: t(`audit.result.${result}`) })),
            ]}
            value={draft.result}
            allowDeselect={false}
            onChange={(value) => {
              setDraft((current) => ({ ...current, result: value ?? '' }));
            }}
          />
          <Group align="flex-end" gap="xs">
            <Button type="submit">{t('audit.filters.apply')}</Button>
            <Button
              variant="default"
              onClick={() => {
                setDraft(NO_FILTERS);
                setFilters(NO_FILTERS);
                setPage(1);
              }}
            >
              {t('audit.filters.clear')}
            </Button>
          </Group>
        </SimpleGrid>
      </form>

      <QueryState
        query={list}
        errorTitle={t('audit.loadFailed')}
        isEmpty={(data) => data.entries.length === 0}
        empty={t('audit.empty')}
      >
        {(data) => (
          <>
            <Paper withBorder radius="md">
              <Table.ScrollContainer minWidth={900}>
                <Table verticalSpacing="xs" highlightOnHover aria-label={t('audit.table.label')}>
                  <Table.Thead>
                    <Table.Tr>
                      <Table.Th>{t('audit.table.at')}</Table.Th>
                      <Table.Th>{t('audit.table.actor')}</Table.Th>
                      <Table.Th>{t('audit.table.action')}</Table.Th>
                      <Table.Th>{t('audit.table.target')}</Table.Th>
                      <Table.Th>{t('audit.table.result')}</Table.Th>
                      <Table.Th>{t('audit.table.task')}</Table.Th>
                      <Table.Th>{t('audit.table.address')}</Table.Th>
                    </Table.Tr>
                  </Table.Thead>
                  <Table.Tbody>
                    {data.entries.map((entry) => (
                      <EntryRow key={entry.id} entry={entry} />
                    ))}
                  </Table.Tbody>
                </Table>
              </Table.ScrollContainer>
            </Paper>
            <Pager
              label={t('audit.table.label')}
              summary={t('audit.pageOf', {
                page: String(data.pagination.page),
                pages: String(data.pagination.pages),
                total: String(data.pagination.total),
              })}
              page={page}
              pages={data.pagination.pages}
              onChange={setPage}
            />
          </>
        )}
      </QueryState>
    </Stack>
  );
}
