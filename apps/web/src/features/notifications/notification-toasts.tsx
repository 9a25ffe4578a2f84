import { notifications as toasts, notificationsStore } from '@mantine/notifications';
import { useRef } from 'react';
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
  const shown = useRef(new Set<number>());
  useLiveEvent('notification', (notification) => {
    if (shown.current.has(notification.id)) return;
    shown.current.add(notification.id);
    const SeverityIcon = SEVERITY_ICON[notification.severity];
    toasts.show({
      id: `${TOAST_ID}${String(notification.id)}`,
      color: SEVERITY_COLOR[notification.severity],
      icon: <SeverityIcon size={18} />,
      title: notification.title,
      message: notification.message,
      autoClose: AUTO_CLOSE_MS[notification.severity],
    });
  });
  return null;
}
