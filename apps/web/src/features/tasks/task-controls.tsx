import { Button, Group, Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { IconPlayerStop, IconRefresh } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { isFinalTaskStatus } from '@proxdeck/contracts';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../lib/api';
import { queryKeys } from '../../lib/query-keys';
import { useCurrentUser } from '../auth/auth.queries';
import { taskTypeLabel } from './task-status';
import type { Task } from './tasks.queries';

/**
 * Task types the API lets their creator retry and cancel (its job table's `retryableBy` / `cancellableBy`); for
 * any other, the API answers 409 and the buttons are not offered.
 */
const CONTROLLABLE_TYPES: readonly Task['type'][] = ['servers.create', 'servers.cleanup', 'servers.action'];

function useTaskAction(task: Task, action: 'retry' | 'cancel') {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () =>
      unwrap(api.POST(`/api/tasks/{task_id}/${action}`, { params: { path: { task_id: task.task_id } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.tasks.detail(task.task_id) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.tasks.lists() });
    },
    onError: (error) => {
      notifications.show({
        color: 'red',
        title: t(`tasks.controls.${action}Failed`),
        message: error.message,
      });
    },
  });
}

/**
 * Retry the failed and cancelled items of an ended task (its creator only), or cancel the items of a running one
 * not started yet, after a confirmation naming what will not happen.
 */
export function TaskControls({ task }: { task: Task }) {
  const { t } = useTranslation();
  const user = useCurrentUser();
  const retry = useTaskAction(task, 'retry');
  const cancel = useTaskAction(task, 'cancel');
  if (!CONTROLLABLE_TYPES.includes(task.type)) return null;
  const ended = isFinalTaskStatus(task.status);
  const again = task.items.filter((item) => item.status === 'failed' || item.status === 'cancelled');
  const notStarted = task.items.filter((item) => item.status === 'queued');
  const canRetry = ended && again.length > 0 && user?.id === task.created_by;
  const canCancel = !ended && notStarted.length > 0;
  if (!canRetry && !canCancel) return null;

  const confirmCancel = () => {
    const names = notStarted.map((item) => item.name);
    modals.openConfirmModal({
      title: t('tasks.controls.cancelTitle', { type: taskTypeLabel(task.type, t) }),
      children: (
        <Text size="sm">
          {t('tasks.controls.cancelBody', {
            count: names.length,
            names: names.slice(0, 10).join(', ') + (names.length > 10 ? ', …' : ''),
          })}
        </Text>
      ),
      labels: {
        confirm: t('tasks.controls.cancelConfirm', { count: names.length }),
        cancel: t('common.cancel'),
      },
      confirmProps: { color: 'red' },
      onConfirm: () => {
        cancel.mutate();
      },
    });
  };

  return (
    <Group gap="sm">
      {canRetry ? (
        <Button
          leftSection={<IconRefresh size={16} />}
          loading={retry.isPending}
          onClick={() => {
            retry.mutate();
          }}
        >
          {t('tasks.controls.retry', { count: again.length })}
        </Button>
      ) : null}
      {canCancel ? (
        <Button
          color="red"
          variant="light"
          leftSection={<IconPlayerStop size={16} />}
          loading={cancel.isPending}
          onClick={confirmCancel}
        >
          {t('tasks.controls.cancel', { count: notStarted.length })}
        </Button>
      ) : null}
    </Group>
  );
}
