import { Anchor, Group, NativeSelect, Paper, Stack, Table, Text, Title } from '@mantine/core';
import { useDocumentTitle, useMediaQuery } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { TASK_STATUSES, type TaskStatus } from '@proxdeck/contracts';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { Pager } from '../../components/pager';
import { QueryState } from '../../components/query-state';
import { formatDateTime } from '../../lib/i18n';
import { usePollInterval } from '../../lib/sse';
import { useCurrentUser } from '../auth/auth.queries';
import {
  createdByLabel,
  formatDuration,
  taskTypeLabel,
  TaskProgress,
  TaskStatusBadge,
  useNow,
} from './task-status';
import {
  PAGE_SIZE,
  TASK_POLL_MS,
  TASK_TYPES,
  taskDurationMs,
  taskListQueryOptions,
  type Task,
  type TaskListQuery,
  type TaskType,
} from './tasks.queries';
import classes from './tasks.module.css';

function isStatus(value: string | null): value is TaskStatus {
  return TASK_STATUSES.some((status) => status === value);
}

function isType(value: string | null): value is TaskType {
  return TASK_TYPES.some((type) => type === value);
}

/** The page's filters and page number, kept in the address (`?status=running&type=test.simple&page=2`). */
export interface TaskFilters {
  status: TaskStatus | null;
  type: TaskType | null;
  page: number;
}

export function filtersFromSearch(params: URLSearchParams): TaskFilters {
  const status = params.get('status');
  const type = params.get('type');
  const page = Number(params.get('page') ?? '1');
  return {
    status: isStatus(status) ? status : null,
    type: isType(type) ? type : null,
    page: Number.isSafeInteger(page) && page >= 1 ? page : 1,
  };
}

function listQuery({ status, type, page }: TaskFilters): TaskListQuery {
  return { page, per_page: PAGE_SIZE, ...(status ? { status } : {}), ...(type ? { type } : {}) };
}

interface TaskRowsProps {
  tasks: Task[];
  /** For the duration of running tasks. */
  now: number;
  /** The signed-in user, whose tasks say "You". */
  userId: number | undefined;
}

function TaskTable({ tasks, now, userId }: TaskRowsProps) {
  const { t } = useTranslation();
  return (
    // Narrower than its columns (a tablet), the table scrolls sideways, also from the keyboard once focused.
    <Table.ScrollContainer
      minWidth={900}
      type="native"
      tabIndex={0}
      role="region"
      aria-label={t('tasks.list.scroll')}
    >
      <Table verticalSpacing="sm" highlightOnHover aria-label={t('tasks.title')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('tasks.columns.type')}</Table.Th>
            <Table.Th>{t('tasks.columns.status')}</Table.Th>
            <Table.Th w={180}>{t('tasks.columns.progress')}</Table.Th>
            <Table.Th>{t('tasks.columns.message')}</Table.Th>
            <Table.Th>{t('tasks.columns.createdBy')}</Table.Th>
            <Table.Th>{t('tasks.columns.createdAt')}</Table.Th>
            <Table.Th>{t('tasks.columns.duration')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {tasks.map((task) => {
            const type = taskTypeLabel(task.type, t);
            return (
              <Table.Tr key={task.task_id} data-testid={`task-${task.task_id}`}>
                <Table.Td>
                  <Anchor component={Link} to={`/tasks/${task.task_id}`} fw={500} size="sm">
                    {type}
                  </Anchor>
                </Table.Td>
                <Table.Td>
                  <TaskStatusBadge status={task.status} />
                </Table.Td>
                <Table.Td>
                  <TaskProgress
                    progress={task.progress}
                    status={task.status}
                    label={t('tasks.progressOf', { name: type })}
                  />
                </Table.Td>
                <Table.Td>
                  <Text size="sm" lineClamp={2} style={{ wordBreak: 'break-word' }}>
                    {task.error ?? task.message ?? '—'}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{createdByLabel(task.created_by, userId, t)}</Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm" component="time" dateTime={task.created_at}>
                    {formatDateTime(task.created_at)}
                  </Text>
                </Table.Td>
                <Table.Td>
                  <Text size="sm">{formatDuration(taskDurationMs(task, now), t)}</Text>
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** On a phone: one card per task, its facts stacked. */
function TaskCards({ tasks, now, userId }: TaskRowsProps) {
  const { t } = useTranslation();
  return (
    <ul className={classes.cards} aria-label={t('tasks.title')}>
      {tasks.map((task) => {
        const type = taskTypeLabel(task.type, t);
        return (
          <Stack key={task.task_id} component="li" gap={6} p="md" data-testid={`task-${task.task_id}`}>
            <Group justify="space-between" gap="xs" wrap="nowrap">
              <Anchor component={Link} to={`/tasks/${task.task_id}`} fw={500} size="sm">
                {type}
              </Anchor>
              <TaskStatusBadge status={task.status} />
            </Group>
            <TaskProgress
              progress={task.progress}
              status={task.status}
              label={t('tasks.progressOf', { name: type })}
            />
            {(task.error ?? task.message) ? (
              <Text size="sm" lineClamp={2} style={{ wordBreak: 'break-word' }}>
                {task.error ?? task.message}
              </Text>
            ) : null}
            <Text size="xs" c="dimmed">
              {createdByLabel(task.created_by, userId, t)} ·{' '}
              <time dateTime={task.created_at}>{formatDateTime(task.created_at)}</time> ·{' '}
              {formatDuration(taskDurationMs(task, now), t)}
            </Text>
          </Stack>
        );
      })}
    </ul>
  );
}

/** The tasks the user may see, newest first, filtered by status and type, a page at a time; live. */
export function TasksPage() {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const [params, setParams] = useSearchParams();
  const filters = filtersFromSearch(params);
  // The stream patches the cached pages as tasks progress: polled only while it is not open.
  const list = useQuery({
    ...taskListQueryOptions(listQuery(filters)),
    refetchInterval: usePollInterval(TASK_POLL_MS),
  });
  const now = useNow(list.data?.items.some((task) => task.status === 'running') ?? false);
  const narrow = useMediaQuery('(max-width: 48em)');
  useDocumentTitle(`${t('tasks.title')} · ${t('app.name')}`);

  const filtered = filters.status !== null || filters.type !== null;
  const pages = list.data?.pagination.pages ?? 0;

  /** Changes the filters (back to the first page) or the page. */
  const change = (next: Partial<TaskFilters>) => {
    setParams((previous) => {
      const merged = { ...filtersFromSearch(previous), page: 1, ...next };
      const search = new URLSearchParams();
      if (merged.status) search.set('status', merged.status);
      if (merged.type) search.set('type', merged.type);
      if (merged.page > 1) search.set('page', String(merged.page));
      return search;
    });
  };

  return (
    <Stack gap="lg">
      <div>
        <Title order={1} size="h2">
          {t('tasks.title')}
        </Title>
        <Text c="dimmed">{t('tasks.description')}</Text>
      </div>

      <Group role="group" aria-label={t('tasks.filters.label')} align="flex-end" gap="md">
        <NativeSelect
          label={t('tasks.filters.status')}
          w={{ base: '100%', xs: 200 }}
          value={filters.status ?? ''}
          onChange={(event) => {
            const value = event.currentTarget.value;
            change({ status: isStatus(value) ? value : null });
          }}
          data={[
            { value: '', label: t('tasks.filters.anyStatus') },
            ...TASK_STATUSES.map((status) => ({ value: status, label: t(`tasks.status.${status}`) })),
          ]}
        />
        <NativeSelect
          label={t('tasks.filters.type')}
          w={{ base: '100%', xs: 220 }}
          value={filters.type ?? ''}
          onChange={(event) => {
            const value = event.currentTarget.value;
            change({ type: isType(value) ? value : null });
          }}
          data={[
            { value: '', label: t('tasks.filters.anyType') },
            ...TASK_TYPES.map((type) => ({ value: type, label: taskTypeLabel(type, t) })),
          ]}
        />
      </Group>

      <QueryState
        query={list}
        errorTitle={t('tasks.list.loadFailed')}
        isEmpty={(data) => data.items.length === 0}
        empty={filtered ? t('tasks.list.emptyFiltered') : t('tasks.list.empty')}
      >
        {(data) => (
          <Paper withBorder radius="md" aria-busy={list.isPlaceholderData}>
            {narrow ? (
              <TaskCards tasks={data.items} now={now} userId={user?.id} />
            ) : (
              <TaskTable tasks={data.items} now={now} userId={user?.id} />
            )}
          </Paper>
        )}
      </QueryState>

      {list.data && list.data.pagination.total > 0 ? (
        <Pager
          label={t('tasks.list.pagination')}
          summary={t('tasks.list.total', { total: String(list.data.pagination.total) })}
          page={filters.page}
          pages={pages}
          onChange={(page) => {
            change({ ...filters, page });
          }}
        />
      ) : null}
    </Stack>
  );
}
