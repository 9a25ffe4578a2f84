import { Alert, Anchor, Button, Group, Text } from '@mantine/core';
import { IconRefresh } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { isFinalTaskStatus } from '@proxdeck/contracts';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { usePollInterval } from '../../lib/sse';
import { taskQueryOptions, useSyncServers } from './servers.queries';

const TASK_POLL_MS = 2_000;

/** The sync's task as it runs: status and progress, with a link to the task. */
function SyncProgress({ taskId }: { taskId: string }) {
  const { t } = useTranslation();
  const poll = usePollInterval(TASK_POLL_MS);
  const task = useQuery({
    ...taskQueryOptions(taskId),
    refetchInterval: (query) =>
      query.state.data && isFinalTaskStatus(query.state.data.status) ? false : poll,
  });
  const status = task.data?.status ?? 'queued';
  return (
    <Group gap="xs" role="status">
      <Text size="sm">
        {t('servers.sync.progress', {
          status: t(`servers.taskStatuses.${status}`),
          progress: String(task.data?.progress ?? 0),
        })}
      </Text>
      <Anchor component={Link} to={`/tasks/${taskId}`} size="sm">
        {t('servers.sync.openTask')}
      </Anchor>
    </Group>
  );
}

/** "Sync now": POST /api/sync_servers, then the task it returned, followed until it ends. */
export function SyncServersButton() {
  const { t } = useTranslation();
  const sync = useSyncServers();
  const [taskId, setTaskId] = useState<string | null>(null);
  return (
    <Group gap="sm">
      {taskId ? <SyncProgress taskId={taskId} /> : null}
      {sync.isError ? (
        <Alert color="red" py={4}>
          {t('servers.sync.failed', { error: sync.error.message })}
        </Alert>
      ) : null}
      <Button
        variant="default"
        leftSection={<IconRefresh size={16} />}
        loading={sync.isPending}
        onClick={() => {
          sync.mutate(undefined, {
            onSuccess: (accepted) => {
              setTaskId(accepted.task_id);
            },
          });
        }}
      >
        {t('servers.sync.button')}
      </Button>
    </Group>
  );
}
