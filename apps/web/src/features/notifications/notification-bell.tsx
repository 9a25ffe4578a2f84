import {
  ActionIcon,
  Anchor,
  Button,
  Center,
  Divider,
  Group,
  Indicator,
  Loader,
  Popover,
  ScrollArea,
  Text,
} from '@mantine/core';
import { IconBell } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useConfirmClearAll } from './clear-all';
import { NotificationItem } from './notification-item';
import { hideNotificationToasts } from './notification-toasts';
import classes from './notifications.module.css';
import { latestNotificationsQueryOptions, unreadCountQueryOptions } from './notifications.queries';

function LatestNotifications({ onClose, onClearAll }: { onClose: () => void; onClearAll: () => void }) {
  const { t } = useTranslation();
  const latest = useQuery(latestNotificationsQueryOptions);
  return (
    <>
      <Group justify="space-between" px="md" py="xs" wrap="nowrap">
        <Text fw={600} id="latest-notifications-title">
          {t('notifications.bell.latest')}
        </Text>
        <Button
          variant="subtle"
          color="red"
          size="compact-sm"
          disabled={!latest.data?.length}
          onClick={onClearAll}
        >
          {t('notifications.clearAll.button')}
        </Button>
      </Group>
      <Divider />
      <ScrollArea.Autosize mah="min(420px, 60vh)" type="auto">
        {latest.isPending ? (
          <Center p="md">
            <Loader size="sm" aria-label={t('common.loading')} />
          </Center>
        ) : latest.isError ? (
          <Text c="red" size="sm" p="md" role="alert">
            {t('notifications.loadFailed')} {latest.error.message}
          </Text>
        ) : latest.data.length === 0 ? (
          <Text c="dimmed" size="sm" p="md" ta="center">
            {t('notifications.bell.empty')}
          </Text>
        ) : (
          <ul className={classes.list} aria-labelledby="latest-notifications-title">
            {latest.data.map((notification) => (
              <NotificationItem
                key={notification.id}
                notification={notification}
                compact
                onOpenTask={onClose}
              />
            ))}
          </ul>
        )}
      </ScrollArea.Autosize>
      <Divider />
      <Anchor
        component={Link}
        to="/notifications"
        onClick={onClose}
        size="sm"
        display="block"
        ta="center"
        p="sm"
      >
        {t('notifications.bell.viewAll')}
      </Anchor>
    </>
  );
}

/** The header's bell: the unread count, and a dropdown of the latest notifications with their actions. */
export function NotificationBell() {
  const { t } = useTranslation();
  const [opened, setOpened] = useState(false);
  const unread = useQuery(unreadCountQueryOptions);
  const clearAll = useConfirmClearAll();
  const count = unread.data ?? 0;
  const label =
    count > 0
      ? t('notifications.bell.labelUnread', { unread: String(count) })
      : t('notifications.bell.label');
  return (
    <Popover
      opened={opened}
      onChange={setOpened}
      position="bottom-end"
      width="min(380px, calc(100vw - 16px))"
      shadow="md"
      withArrow
      trapFocus
      returnFocus
    >
      <Popover.Target>
        <ActionIcon
          variant="default"
          size="lg"
          aria-label={label}
          data-testid="notification-bell"
          onClick={() => {
            if (!opened) hideNotificationToasts();
            setOpened(!opened);
          }}
        >
          <Indicator
            label={count > 99 ? '99+' : count}
            disabled={count === 0}
            size={16}
            offset={2}
            color="red"
            data-testid="unread-count"
          >
            <IconBell size={18} stroke={1.6} />
          </Indicator>
        </ActionIcon>
      </Popover.Target>
      <Popover.Dropdown p={0}>
        {opened ? (
          <LatestNotifications
            onClose={() => {
              setOpened(false);
            }}
            onClearAll={() => {
              setOpened(false);
              clearAll.confirm();
            }}
          />
        ) : null}
      </Popover.Dropdown>
    </Popover>
  );
}
