import {
  ActionIcon,
  Anchor,
  Badge,
  Box,
  Group,
  Stack,
  Text,
  ThemeIcon,
  Tooltip,
  VisuallyHidden,
} from '@mantine/core';
import { notifications as toasts } from '@mantine/notifications';
import {
  IconAlertTriangle,
  IconCheck,
  IconCircleCheck,
  IconCircleX,
  IconEyeOff,
  IconInfoCircle,
  type TablerIcon,
} from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDateTime } from '../../lib/i18n';
import classes from './notifications.module.css';
import { useHideNotification, useMarkRead, type Notification, type Severity } from './notifications.queries';

export const SEVERITY_COLOR: Record<Severity, string> = {
  info: 'blue',
  success: 'teal',
  warning: 'yellow',
  error: 'red',
};

export const SEVERITY_ICON: Record<Severity, TablerIcon> = {
  info: IconInfoCircle,
  success: IconCircleCheck,
  warning: IconAlertTriangle,
  error: IconCircleX,
};

export interface NotificationItemProps {
  notification: Notification;
  /** The bell's dropdown: shorter, without the severity badge, and the task as a short link. */
  compact?: boolean;
  /** Called when the link to the notification's task is followed (the bell closes its dropdown). */
  onOpenTask?: () => void;
}

/** One notification as a list item: what happened, when, and the actions "mark as read" and "hide". */
export function NotificationItem({ notification, compact = false, onOpenTask }: NotificationItemProps) {
  const { t } = useTranslation();
  const markRead = useMarkRead();
  const hide = useHideNotification();
  const { id, title, message, severity, read } = notification;
  const SeverityIcon = SEVERITY_ICON[severity];
  const onError = (error: Error) => {
    toasts.show({ color: 'red', title: t('notifications.actionFailed'), message: error.message });
  };

  return (
    <Box
      component="li"
      className={classes.item}
      mod={{ unread: !read }}
      px="md"
      py="sm"
      data-testid={`notification-${id}`}
    >
      <Group wrap="nowrap" align="flex-start" gap="sm">
        <ThemeIcon color={SEVERITY_COLOR[severity]} variant="light" radius="xl" size={compact ? 'md' : 'lg'}>
          <SeverityIcon
            size={compact ? 16 : 20}
            stroke={1.6}
            role="img"
            aria-label={t(`notifications.severity.${severity}`)}
          />
        </ThemeIcon>
        <Stack gap={2} miw={0} style={{ flex: 1 }}>
          <Group gap={6} wrap="nowrap" align="flex-start">
            <Text size="sm" fw={read ? 500 : 700} lineClamp={2} style={{ wordBreak: 'break-word' }}>
              {title}
            </Text>
            {read ? null : compact ? (
              <>
                <Box className={classes.unreadDot} aria-hidden />
                <VisuallyHidden>{t('notifications.unread')}</VisuallyHidden>
              </>
            ) : (
              <Badge size="xs" variant="filled" mt={3} style={{ flexShrink: 0 }}>
                {t('notifications.unread')}
              </Badge>
            )}
          </Group>
          {message ? (
            <Text
              size="sm"
              c="dimmed"
              lineClamp={compact ? 2 : undefined}
              style={{ wordBreak: 'break-word' }}
            >
              {message}
            </Text>
          ) : null}
          <Group gap="xs" wrap="wrap">
            <Text size="xs" c="dimmed" component="time" dateTime={notification.created_at}>
              {formatDateTime(notification.created_at)}
            </Text>
            {compact ? null : (
              <Badge size="xs" variant="light" color={SEVERITY_COLOR[severity]}>
                {t(`notifications.severity.${severity}`)}
              </Badge>
            )}
            {notification.server ? (
              <Text size="xs" c="dimmed">
                {t('notifications.server', { server: notification.server })}
              </Text>
            ) : null}
            {notification.task_id ? (
              <Anchor
                component={Link}
                to={`/tasks/${notification.task_id}`}
                size="xs"
                ff={compact ? undefined : 'monospace'}
                onClick={onOpenTask}
              >
                {compact
                  ? t('notifications.viewTask')
                  : t('notifications.task', { task: notification.task_id })}
              </Anchor>
            ) : null}
          </Group>
        </Stack>
        <Group gap={4} wrap="nowrap">
          {read ? null : (
            <Tooltip label={t('notifications.markRead')}>
              <ActionIcon
                variant="subtle"
                aria-label={t('notifications.markReadOf', { title })}
                loading={markRead.isPending}
                onClick={() => {
                  markRead.mutate(id, { onError });
                }}
              >
                <IconCheck size={18} stroke={1.6} />
              </ActionIcon>
            </Tooltip>
          )}
          <Tooltip label={t('notifications.hide')}>
            <ActionIcon
              variant="subtle"
              color="gray"
              aria-label={t('notifications.hideOf', { title })}
              loading={hide.isPending}
              onClick={() => {
                hide.mutate(id, { onError });
              }}
            >
              <IconEyeOff size={18} stroke={1.6} />
            </ActionIcon>
          </Tooltip>
        </Group>
      </Group>
    </Box>
  );
}
