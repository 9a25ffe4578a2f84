/**
 * The notifications' texts: the header's bell and live indicator, the notifications page, the toasts.
 * Each top-level key is a namespace this file owns (`t('notifications.…')`); lib/i18n.ts joins every
 * file's texts. `ko` is typed by `en`, so a text missing in Korean fails typecheck.
 */
import type { Texts } from '../../lib/i18n';

const en = {
  notifications: {
    title: 'Notifications',
    description: 'What happened to your tasks and servers, newest first.',
    unread: 'Unread',
    markRead: 'Mark as read',
    markReadOf: 'Mark “{{title}}” as read',
    hide: 'Hide',
    hideOf: 'Hide “{{title}}”',
    server: 'Server {{server}}',
    task: 'Task {{task}}',
    viewTask: 'View the task',
    actionFailed: 'The notification could not be changed',
    loadFailed: 'The notifications could not be loaded.',
    severity: {
      info: 'Information',
      success: 'Success',
      warning: 'Warning',
      error: 'Error',
    },
    bell: {
      label: 'Notifications',
      labelUnread: 'Notifications, {{unread}} unread',
      latest: 'Latest notifications',
      empty: 'No notifications.',
      viewAll: 'View all notifications',
    },
    clearAll: {
      button: 'Clear all',
      title: 'Hide all your notifications?',
      body: 'This hides all of your notifications, read and unread, from your account. Other users keep theirs. Hidden notifications cannot be brought back.',
      confirm: 'Hide all',
      cancel: 'Cancel',
      done: 'Notifications hidden: {{hidden}}.',
      failed: 'The notifications could not be hidden',
    },
    filters: {
      label: 'Filter notifications',
      readState: 'Show',
      all: 'All',
      unreadOnly: 'Unread',
      readOnly: 'Read',
      severity: 'Severity',
      anySeverity: 'Any severity',
    },
    page: {
      empty: 'You have no notifications.',
      emptyFiltered: 'No notifications match these filters.',
      total: '{{total}} in all',
      pagination: 'Pages of notifications',
    },
    live: {
      open: 'Live',
      connecting: 'Connecting…',
      reconnecting: 'Reconnecting…',
      closed: 'Offline',
      openHint: 'Changes appear as they happen.',
      connectingHint: 'Connecting to live updates.',
      reconnectingHint: 'The connection for live updates was lost. Trying again…',
      closedHint: 'Live updates are off; pages refresh from time to time.',
    },
  },
} as const;

const ko: Texts<typeof en> = {
  notifications: {
    title: '알림',
    description: '작업과 서버에 일어난 일을 최신순으로 보여 줍니다.',
    unread: '읽지 않음',
    markRead: '읽음으로 표시',
    markReadOf: '“{{title}}” 읽음으로 표시',
    hide: '숨기기',
    hideOf: '“{{title}}” 숨기기',
    server: '서버 {{server}}',
    task: '작업 {{task}}',
    viewTask: '작업 보기',
    actionFailed: '알림을 변경하지 못했습니다',
    loadFailed: '알림을 불러오지 못했습니다.',
    severity: {
      info: '정보',
      success: '성공',
      warning: '경고',
      error: '오류',
    },
    bell: {
      label: '알림',
      labelUnread: '알림, 읽지 않음 {{unread}}개',
      latest: '최근 알림',
      empty: '알림이 없습니다.',
      viewAll: '모든 알림 보기',
    },
    clearAll: {
      button: '모두 지우기',
      title: '내 알림을 모두 숨길까요?',
      body: '읽은 알림과 읽지 않은 알림을 포함해 내 계정의 알림을 모두 숨깁니다. 다른 사용자의 알림은 그대로 남습니다. 숨긴 알림은 되돌릴 수 없습니다.',
      confirm: '모두 숨기기',
      cancel: '취소',
      done: '숨긴 알림: {{hidden}}개.',
      failed: '알림을 숨기지 못했습니다',
    },
    filters: {
      label: '알림 필터',
      readState: '표시',
      all: '전체',
      unreadOnly: '읽지 않음',
      readOnly: '읽음',
      severity: '심각도',
      anySeverity: '모든 심각도',
    },
    page: {
      empty: '알림이 없습니다.',
      emptyFiltered: '이 필터에 맞는 알림이 없습니다.',
      total: '전체 {{total}}개',
      pagination: '알림 페이지',
    },
    live: {
      open: '실시간',
      connecting: '연결 중…',
      reconnecting: '다시 연결 중…',
      closed: '오프라인',
      openHint: '변경 사항이 바로 표시됩니다.',
      connectingHint: '실시간 업데이트에 연결하고 있습니다.',
      reconnectingHint: '실시간 업데이트 연결이 끊겼습니다. 다시 연결하고 있습니다…',
      closedHint: '실시간 업데이트가 꺼져 있어 페이지를 주기적으로 새로 고칩니다.',
    },
  },
};

export const notificationsLocales = { en, ko };
