import { Alert, Anchor, Card, Group, Skeleton, Stack, Text, Title } from '@mantine/core';
import { IconAlertCircle } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { isFinalTaskStatus } from '@proxdeck/contracts';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDateTime } from '../../lib/i18n';
import { usePollInterval } from '../../lib/sse';
import { taskTypeLabel, TaskProgress, TaskStatusBadge } from '../tasks/task-status';
import { TASK_POLL_MS, taskListQueryOptions, type Task } from '../tasks/tasks.queries';

/** How many running and how many finished tasks the card lists. */
const RUNNING_SHOWN = 5;
const FINISHED_SHOWN = 5;
/** The newest tasks asked for to find the finished ones among them. */
const RECENT_ASKED = 10;

function TaskLink({ task }: { task: Task }) {
  const { t } = useTranslation();
  return (
    <Anchor component={Link} to={`/tasks/${task.task_id}`} size="sm" fw={500}>
      {taskTypeLabel(task.type, t)}
    </Anchor>
  );
}

function RunningTask({ task }: { task: Task }) {
  const { t } = useTranslation();
  return (
    <Stack gap={4} component="li" data-testid={`dashboard-task-${task.task_id}`}>
      <Group justify="space-between" gap="xs" wrap="nowrap">
        <TaskLink task={task} />
        <TaskStatusBadge status={task.status} />
      </Group>
      <TaskProgress
        progress={task.progress}
        status={task.status}
        label={t('tasks.progressOf', { name: taskTypeLabel(task.type, t) })}
      />
      {task.message ? (
        <Text size="xs" c="dimmed" lineClamp={1}>
          {task.message}
        </Text>
      ) : null}
    </Stack>
  );
}

function FinishedTask({ task }: { task: Task }) {
  const finished = task.finished_at ?? task.created_at;
  return (
    <Group component="li" justify="space-between" gap="xs" data-testid={`dashboard-task-${task.task_id}`}>
      <Stack gap={0} miw={0} style={{ flex: 1 }}>
        <TaskLink task={task} />
        <Text size="xs" c="dimmed" component="time" dateTime={finished}>
          {formatDateTime(finished)}
        </Text>
      </Stack>
      <TaskStatusBadge status={task.status} />
    </Group>
  );
}

const listStyle = { listStyle: 'none', margin: 0, padding: 0 } as const;

/** The running tasks with their live progress, and the last few that finished; each opens its page. */
export function TasksCard() {
  const { t } = useTranslation();
  // The stream patches these pages as tasks progress and refreshes them when a status changes.
  const refetchInterval = usePollInterval(TASK_POLL_MS);
  const running = useQuery({
    ...taskListQueryOptions({ status: 'running', per_page: RUNNING_SHOWN }),
    refetchInterval,
  });
  const recent = useQuery({ ...taskListQueryOptions({ per_page: RECENT_ASKED }), refetchInterval });
  const finished = recent.data?.items
    .filter((task) => isFinalTaskStatus(task.status))
    .slice(0, FINISHED_SHOWN);
  const error = running.error ?? recent.error;

  return (
    <Card withBorder padding="lg" radius="md" component="section" aria-labelledby="dashboard-tasks-title">
      <Group justify="space-between" mb="md">
        <Title order={3} size="h4" id="dashboard-tasks-title">
          {t('dashboard.tasks.title')}
        </Title>
        <Anchor component={Link} to="/tasks" size="sm">
          {t('dashboard.tasks.viewAll')}
        </Anchor>
      </Group>
      {error ? (
        <Alert color="red" icon={<IconAlertCircle size={18} />}>
          {t('dashboard.tasks.unavailable')} {error.message}
        </Alert>
      ) : !running.data || !finished ? (
        <Stack gap="sm" aria-busy="true">
          <Skeleton h={40} />
          <Skeleton h={40} />
        </Stack>
      ) : running.data.items.length === 0 && finished.length === 0 ? (
        <Text c="dimmed" size="sm">
          {t('dashboard.tasks.empty')}
        </Text>
      ) : (
        <Stack gap="lg">
          <Stack gap="xs">
            <Text size="sm" fw={600} id="dashboard-running-tasks">
              {t('dashboard.tasks.running')}
            </Text>
            {running.data.items.length === 0 ? (
              <Text c="dimmed" size="sm">
                {t('dashboard.tasks.noneRunning')}
              </Text>
            ) : (
              <Stack gap="sm" component="ul" style={listStyle} aria-labelledby="dashboard-running-tasks">
                {running.data.items.map((task) => (
                  <RunningTask key={task.task_id} task={task} />
                ))}
              </Stack>
            )}
          </Stack>
          <Stack gap="xs">
            <Text size="sm" fw={600} id="dashboard-finished-tasks">
              {t('dashboard.tasks.finished')}
            </Text>
            {finished.length === 0 ? (
              <Text c="dimmed" size="sm">
                {t('dashboard.tasks.noneFinished')}
              </Text>
            ) : (
              <Stack gap="xs" component="ul" style={listStyle} aria-labelledby="dashboard-finished-tasks">
                {finished.map((task) => (
                  <FinishedTask key={task.task_id} task={task} />
                ))}
              </Stack>
            )}
          </Stack>
        </Stack>
      )}
    </Card>
  );
}
