/**
 * The signed-in user's notifications (docs/api.md §9): the list with its filters and pages, the latest ones,
 * the unread count, and marking read, hiding and clearing all, which change only this user's view. The live
 * stream (lib/sse.ts) refreshes these queries when a notification arrives.
 */
import { keepPreviousData, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, toApiError, unwrap, type Schemas } from '../../lib/api';
import { queryKeys, type NotificationListQuery } from '../../lib/query-keys';

export type Notification = Schemas['NotificationDto'];
export type Severity = Notification['severity'];
export type { NotificationListQuery };

export const SEVERITIES: readonly Severity[] = ['info', 'success', 'warning', 'error'];
/** How many the header's bell shows. */
export const LATEST_LIMIT = 8;
/** Notifications per page of the notifications page. */
export const PAGE_SIZE = 20;

export interface NotificationPage {
  items: Notification[];
  pagination: { page: number; per_page: number; total: number; pages: number };
}

export async function fetchNotificationPage(query: NotificationListQuery): Promise<NotificationPage> {
  const { data, error, response } = await api.GET('/api/notifications', { params: { query } });
  if (data === undefined) throw toApiError(error, response);
  return { items: data.data, pagination: data.pagination };
}

export const notificationListQueryOptions = (query: NotificationListQuery) =>
  queryOptions({
    queryKey: queryKeys.notifications.list(query),
    queryFn: () => fetchNotificationPage(query),
    // Another page or filter keeps showing the previous answer until the new one is there.
    placeholderData: keepPreviousData,
  });

export const latestNotificationsQueryOptions = queryOptions({
  queryKey: queryKeys.notifications.latest(LATEST_LIMIT),
  queryFn: () => unwrap(api.GET('/api/notifications/latest', { params: { query: { limit: LATEST_LIMIT } } })),
});

export const unreadCountQueryOptions = queryOptions({
  queryKey: queryKeys.notifications.unreadCount(),
  queryFn: () => unwrap(api.GET('/api/notifications/unread-count')),
  select: (data) => data.count,
});

/** After a change every view of the notifications (lists, latest, count) is fetched again. */
function useRefreshNotifications() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: queryKeys.notifications.all });
}

export function useMarkRead() {
  const refresh = useRefreshNotifications();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(
        api.POST('/api/notifications/{notification_id}/read', {
          params: { path: { notification_id: String(id) } },
        }),
      ),
    onSuccess: refresh,
  });
}

/** Hides one notification for this user (others keep it). */
export function useHideNotification() {
  const refresh = useRefreshNotifications();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(
        api.DELETE('/api/notifications/{notification_id}', {
          params: { path: { notification_id: String(id) } },
        }),
      ),
    onSuccess: refresh,
  });
}

/** Hides every notification of this user (others keep theirs); answers how many were hidden. */
export function useClearAll() {
  const refresh = useRefreshNotifications();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/notifications/clear-all')),
    onSuccess: refresh,
  });
}
