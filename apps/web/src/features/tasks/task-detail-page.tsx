import {
  ActionIcon,
  Alert,
  Anchor,
  Button,
  Card,
  Code,
  Collapse,
  CopyButton,
  Group,
  SimpleGrid,
  Skeleton,
  Stack,
  Table,
  Text,
  Title,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure, useDocumentTitle } from '@mantine/hooks';
import {
  IconAlertCircle,
  IconArrowLeft,
  IconCheck,
  IconChevronDown,
  IconChevronRight,
  IconCopy,
} from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { isFinalTaskStatus } from '@proxdeck/contracts';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError } from '../../lib/api';
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
import { TaskControls } from './task-controls';
import { TASK_POLL_MS, taskDurationMs, taskQueryOptions, type Task, type TaskItem } from './tasks.queries';

function BackLink() {
  const { t } = useTranslation();
  return (
    <Anchor component={Link} to="/tasks" size="sm">
      <Group gap={4} component="span">
        <IconArrowLeft size={16} />
        {t('tasks.detail.back')}
      </Group>
    </Anchor>
  );
}

/** A Proxmox task id, monospace, with a button that copies it. */
function Upid({ upid }: { upid: string }) {
  const { t } = useTranslation();
  return (
    <Group gap={4} wrap="nowrap">
      <Code style={{ wordBreak: 'break-all' }}>{upid}</Code>
      <CopyButton value={upid}>
        {({ copied, copy }) => (
          <Tooltip label={copied ? t('tasks.items.copied') : t('tasks.items.copy')}>
            <ActionIcon
              variant="subtle"
              color={copied ? 'teal' : 'gray'}
              size="sm"
              aria-label={t('tasks.items.copyUpid', { upid })}
              onClick={copy}
            >
              {copied ? <IconCheck size={14} /> : <IconCopy size={14} />}
            </ActionIcon>
          </Tooltip>
        )}
      </CopyButton>
    </Group>
  );
}

function ItemsTable({ items }: { items: TaskItem[] }) {
  const { t } = useTranslation();
  if (items.length === 0) return <Text c="dimmed">{t('tasks.detail.noItems')}</Text>;
  return (
    // On a narrow screen the table scrolls sideways (also from the keyboard, once focused).
    <Table.ScrollContainer
      minWidth={860}
      type="native"
      tabIndex={0}
      role="region"
      aria-label={t('tasks.detail.itemsScroll')}
    >
      <Table verticalSpacing="sm" aria-label={t('tasks.detail.items')}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('tasks.items.name')}</Table.Th>
            <Table.Th>{t('tasks.items.status')}</Table.Th>
            <Table.Th>{t('tasks.items.step')}</Table.Th>
            <Table.Th w={180}>{t('tasks.items.progress')}</Table.Th>
            <Table.Th>{t('tasks.items.error')}</Table.Th>
            <Table.Th>{t('tasks.items.upids')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((item) => (
            <Table.Tr key={item.name} data-testid={`item-${item.name}`}>
              <Table.Td>
                <Text size="sm" fw={500}>
                  {item.name}
                </Text>
              </Table.Td>
              <Table.Td>
                <TaskStatusBadge status={item.status} />
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {item.step ?? '—'}
                </Text>
              </Table.Td>
              <Table.Td>
                <TaskProgress
                  progress={item.progress}
                  status={item.status}
                  label={t('tasks.progressOf', { name: item.name })}
                />
              </Table.Td>
              <Table.Td>
                <Text size="sm" c={item.error ? 'red' : 'dimmed'} style={{ wordBreak: 'break-word' }}>
                  {item.error ?? '—'}
                </Text>
              </Table.Td>
              <Table.Td>
                {item.pve_upids.length === 0 ? (
                  <Text size="sm" c="dimmed">
                    —
                  </Text>
                ) : (
                  <Stack gap={4}>
                    {item.pve_upids.map((upid) => (
                      <Upid key={upid} upid={upid} />
                    ))}
                  </Stack>
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The task's result as JSON, folded away until asked for. */
function TaskResult({ result }: { result: NonNullable<Task['result']> }) {
  const { t } = useTranslation();
  const [opened, { toggle }] = useDisclosure(false);
  return (
    <div>
      <Button
        variant="subtle"
        size="compact-sm"
        leftSection={opened ? <IconChevronDown size={16} /> : <IconChevronRight size={16} />}
        aria-expanded={opened}
        aria-controls="task-result"
        onClick={toggle}
      >
        {opened ? t('tasks.detail.hideResult') : t('tasks.detail.showResult')}
      </Button>
      <Collapse in={opened} id="task-result">
        <Code block mt="xs" data-testid="task-result">
          {JSON.stringify(result, null, 2)}
        </Code>
      </Collapse>
    </div>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" component="div">
        {children}
      </Text>
    </div>
  );
}

/** When the task was created, started and finished, and how long it ran (growing while it runs). */
function Timings({ task }: { task: Task }) {
  const { t } = useTranslation();
  const now = useNow(task.status === 'running');
  const time = (iso: string | null) => (iso ? <time dateTime={iso}>{formatDateTime(iso)}</time> : '—');
  return (
    <SimpleGrid cols={{ base: 2, sm: 4 }} spacing="md">
      <Fact label={t('tasks.detail.created')}>{time(task.created_at)}</Fact>
      <Fact label={t('tasks.detail.started')}>{time(task.started_at)}</Fact>
      <Fact label={t('tasks.detail.finished')}>{time(task.finished_at)}</Fact>
      <Fact label={t('tasks.detail.duration')}>{formatDuration(taskDurationMs(task, now), t)}</Fact>
    </SimpleGrid>
  );
}

function TaskView({ task }: { task: Task }) {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const type = taskTypeLabel(task.type, t);
  return (
    <Stack gap="lg">
      <Stack gap={4}>
        <BackLink />
        <Group gap="sm" align="center">
          <Title order={1} size="h2">
            {type}
          </Title>
          <TaskStatusBadge status={task.status} />
        </Group>
        <TaskControls task={task} />
        <Text size="sm" c="dimmed">
          {t('tasks.detail.id')}: <Code>{task.task_id}</Code> · {createdByLabel(task.created_by, user?.id, t)}{' '}
          · {t('tasks.detail.attempts')}: {task.attempts}
        </Text>
      </Stack>

      <Card withBorder radius="md" padding="lg">
        <Stack gap="md">
          <TaskProgress
            progress={task.progress}
            status={task.status}
            label={t('tasks.progressOf', { name: type })}
          />
          {task.message ? (
            <Text size="sm" data-testid="task-message">
              {task.message}
            </Text>
          ) : null}
          {task.error ? (
            <Alert color="red" icon={<IconAlertCircle size={18} />} title={t('tasks.detail.error')}>
              <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                {task.error}
              </Text>
            </Alert>
          ) : null}
          <section aria-label={t('tasks.detail.timings')}>
            <Timings task={task} />
          </section>
          {task.result ? (
            <section aria-label={t('tasks.detail.result')}>
              <TaskResult result={task.result} />
            </section>
          ) : null}
        </Stack>
      </Card>

      <Card withBorder radius="md" padding="lg">
        <Title order={2} size="h4" mb="sm">
          {t('tasks.detail.items')}
        </Title>
        <ItemsTable items={task.items} />
      </Card>
    </Stack>
  );
}

/** One task: its status, progress, timings, result or error, and its items with their Proxmox tasks; live. */
export function TaskDetailPage() {
  const { t } = useTranslation();
  const { taskId = '' } = useParams();
  const pollMs = usePollInterval(TASK_POLL_MS);
  // The stream patches the cached task as it progresses: polled only while it is not open, and not once done.
  const task = useQuery({
    ...taskQueryOptions(taskId),
    refetchInterval: (query) =>
      query.state.data && isFinalTaskStatus(query.state.data.status) ? false : pollMs,
  });
  useDocumentTitle(`${task.data ? taskTypeLabel(task.data.type, t) : t('tasks.title')} · ${t('app.name')}`);

  if (task.isError) {
    const notFound = task.error instanceof ApiError && task.error.status === 404;
    return (
      <Stack gap="lg">
        <BackLink />
        <Alert
          color={notFound ? 'gray' : 'red'}
          icon={<IconAlertCircle size={18} />}
          title={notFound ? t('tasks.detail.notFoundTitle') : t('tasks.detail.loadFailed')}
          role="alert"
        >
          <Stack gap="xs" align="flex-start">
            <Text size="sm">
              {notFound ? t('tasks.detail.notFound', { id: taskId }) : task.error.message}
            </Text>
            {notFound ? null : (
              <Button size="xs" variant="light" color="red" onClick={() => void task.refetch()}>
                {t('common.retry')}
              </Button>
            )}
          </Stack>
        </Alert>
      </Stack>
    );
  }
  if (task.isPending) {
    return (
      <Stack gap="lg" aria-busy="true">
        <VisuallyHidden>{t('common.loading')}</VisuallyHidden>
        <Skeleton h={36} w={280} />
        <Skeleton h={160} radius="md" />
        <Skeleton h={120} radius="md" />
      </Stack>
    );
  }
  return <TaskView task={task.data} />;
}
