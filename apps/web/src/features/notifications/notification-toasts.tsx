import { Anchor, Stack, Text } from '@mantine/core';
import { notifications as toasts, notificationsStore } from '@mantine/notifications';
import { useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useLiveEvent } from '../../lib/sse';
import { SEVERITY_COLOR, SEVERITY_ICON } from './notification-item';

const TOAST_ID = 'live-notification-';

/** Closes the toasts of arrived notifications (the bell's dropdown, once open, shows them anyway). */
export function hideNotificationToasts(): void {
  const { notifications, queue } = notificationsStore.getState();
  for (const { id } of [...notifications, ...queue]) if (id?.startsWith(TOAST_ID)) toasts.hide(id);
}

/** Errors stay longer than the rest. */
const AUTO_CLOSE_MS = { info: 6_000, success: 6_000, warning: 8_000, error: 12_000 } as const;

/** Shows a toast for each notification arriving on the live stream (once, even when it is replayed). */
export function NotificationToasts() {
  const { t } = useTranslation();
  // The toasts are drawn outside the router: their link to a task navigates through this one.
  const navigate = useNavigate();
  const shown = useRef(new Set<number>());
  useLiveEvent('notification', (notification) => {
    if (shown.current.has(notification.id)) return;
    shown.current.add(notification.id);
    const SeverityIcon = SEVERITY_ICON[notification.severity];
    const id = `${TOAST_ID}${String(notification.id)}`;
    const taskPath = notification.task_id ? `/tasks/${notification.task_id}` : null;
    toasts.show({
      id,
      color: SEVERITY_COLOR[notification.severity],
      icon: <SeverityIcon size={18} />,
      title: notification.title,
      message: taskPath ? (
        <Stack gap={2} align="flex-start">
          <Text size="sm" c="dimmed">
            {notification.message}
          </Text>
          <Anchor
            href={taskPath}
            size="sm"
            onClick={(event) => {
              event.preventDefault();
              toasts.hide(id);
              void navigate(taskPath);
            }}
          >
            {t('notifications.viewTask')}
          </Anchor>
        </Stack>
      ) : (
        notification.message
      ),
      autoClose: AUTO_CLOSE_MS[notification.severity],
    });
  });
  return null;
}
