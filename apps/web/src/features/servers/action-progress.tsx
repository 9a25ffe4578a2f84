import { Alert, Anchor, Group, Stack, Text } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { isFinalTaskStatus } from '@proxdeck/contracts';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { usePollInterval } from '../../lib/sse';
import { TaskProgress, TaskStatusBadge } from '../tasks/task-status';
import { taskQueryOptions, type Task } from './servers.queries';

const TASK_POLL_MS = 2_000;

/** What a finished action task says of one server: the outcome in words, or its error. */
export function outcomeOf(task: Task, name: string): string | null {
  const item = task.items.find((candidate) => candidate.name === name);
  if (item?.error) return item.error;
  const outcomes = task.result?.outcomes;
  if (typeof outcomes === 'object' && outcomes !== null && name in outcomes) {
    const outcome = (outcomes as Record<string, unknown>)[name];
    if (typeof outcome === 'string') return outcome;
  }
  return null;
}

/**
 * A task started from a server's page (a power action, a disk change) as it runs: its status, progress and,
 * once it ended, the outcome or the error. Patched by task events; polled only while the stream is down.
 * `onEnd` is called once, with the finished task.
 */
export function ActionProgress({
  taskId,
  label,
  name,
  onEnd,
}: {
  taskId: string;
  /** What the task does, in words ("Shut down web-01"). */
  label: string;
  /** The server whose outcome to show. */
  name?: string;
  onEnd?: (task: Task) => void;
}) {
  const { t } = useTranslation();
  const poll = usePollInterval(TASK_POLL_MS);
  const task = useQuery({
    ...taskQueryOptions(taskId),
    refetchInterval: (query) =>
      query.state.data && isFinalTaskStatus(query.state.data.status) ? false : poll,
  });
  const ended = useRef(false);
  const data = task.data;
  const finished = data ? isFinalTaskStatus(data.status) : false;
  useEffect(() => {
    if (!data || !finished || ended.current) return;
    ended.current = true;
    onEnd?.(data);
  }, [data, finished, onEnd]);

  const outcome = data && finished && name ? outcomeOf(data, name) : null;
  return (
    <Stack gap={6} role="status" data-testid="action-progress" aria-live="polite">
      <Group gap="sm" justify="space-between" wrap="wrap">
        <Group gap="sm">
          <Text size="sm" fw={500}>
            {label}
          </Text>
          {data ? <TaskStatusBadge status={data.status} /> : null}
        </Group>
        <Anchor component={Link} to={`/tasks/${taskId}`} size="sm">
          {t('servers.actions.openTask')}
        </Anchor>
      </Group>
      {data ? <TaskProgress progress={data.progress} status={data.status} label={label} /> : null}
      {data?.message && !finished ? (
        <Text size="xs" c="dimmed">
          {data.message}
        </Text>
      ) : null}
      {task.isError ? <Alert color="red">{task.error.message}</Alert> : null}
      {finished && data && (data.status === 'failed' || data.status === 'partial') ? (
        <Alert color="red" data-testid="action-error">
          {outcome ?? data.error ?? data.message ?? t('servers.actions.failed')}
        </Alert>
      ) : outcome ? (
        <Text size="sm" data-testid="action-outcome">
          {outcome}
        </Text>
      ) : null}
    </Stack>
  );
}
