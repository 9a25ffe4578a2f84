import { Button, Group, NativeSelect, Paper, SegmentedControl, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { Pager } from '../../components/pager';
import { QueryState } from '../../components/query-state';
import { useConfirmClearAll } from './clear-all';
import { NotificationItem } from './notification-item';
import classes from './notifications.module.css';
import {
  notificationListQueryOptions,
  PAGE_SIZE,
  SEVERITIES,
  type NotificationListQuery,
  type Severity,
} from './notifications.queries';

const READ_STATES = ['all', 'unread', 'read'] as const;
type ReadState = (typeof READ_STATES)[number];

function isReadState(value: string | null): value is ReadState {
  return READ_STATES.some((state) => state === value);
}

function isSeverity(value: string | null): value is Severity {
  return SEVERITIES.some((severity) => severity === value);
}

/** The page's filters and page number, kept in the address (`?show=unread&severity=error&page=2`). */
export interface NotificationFilters {
  show: ReadState;
  severity: Severity | null;
  page: number;
}

export function filtersFromSearch(params: URLSearchParams): NotificationFilters {
  const show = params.get('show');
  const severity = params.get('severity');
  const page = Number(params.get('page') ?? '1');
  return {
    show: isReadState(show) ? show : 'all',
    severity: isSeverity(severity) ? severity : null,
    page: Number.isSafeInteger(page) && page >= 1 ? page : 1,
  };
}

export function listQuery({ show, severity, page }: NotificationFilters): NotificationListQuery {
  return {
    page,
    per_page: PAGE_SIZE,
    ...(show === 'all' ? {} : { unread: show === 'unread' }),
    ...(severity ? { severity } : {}),
  };
}

/** Every notification of the user, filtered by read state and severity, a page at a time. */
export function NotificationsPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const filters = filtersFromSearch(params);
  const list = useQuery(notificationListQueryOptions(listQuery(filters)));
  const clearAll = useConfirmClearAll();
  useDocumentTitle(`${t('notifications.title')} · ${t('app.name')}`);

  const filtered = filters.show !== 'all' || filters.severity !== null;
  const pages = list.data?.pagination.pages ?? 0;

  /** Changes the filters (back to the first page) or the page. */
  const change = (next: Partial<NotificationFilters>) => {
    setParams((previous) => {
      const merged = { ...filtersFromSearch(previous), page: 1, ...next };
      const search = new URLSearchParams();
      if (merged.show !== 'all') search.set('show', merged.show);
      if (merged.severity) search.set('severity', merged.severity);
      if (merged.page > 1) search.set('page', String(merged.page));
      return search;
    });
  };

  // After hiding the last notification of the last page, show the page before it.
  const lastPage = list.isPlaceholderData ? null : pages;
  useEffect(() => {
    if (lastPage !== null && lastPage > 0 && filters.page > lastPage) {
      setParams(
        (previous) => {
          const next = new URLSearchParams(previous);
          if (lastPage > 1) next.set('page', String(lastPage));
          else next.delete('page');
          return next;
        },
        { replace: true },
      );
    }
  }, [lastPage, filters.page, setParams]);

  return (
    <Stack gap="lg">
      <Group justify="space-between" align="flex-start" gap="sm">
        <div>
          <Title order={1} size="h2">
            {t('notifications.title')}
          </Title>
          <Text c="dimmed">{t('notifications.description')}</Text>
        </div>
        <Button
          color="red"
          variant="light"
          leftSection={<IconTrash size={16} />}
          loading={clearAll.isPending}
          disabled={!list.data || (list.data.pagination.total === 0 && !filtered)}
          onClick={clearAll.confirm}
        >
          {t('notifications.clearAll.button')}
        </Button>
      </Group>

      <Group role="group" aria-label={t('notifications.filters.label')} align="flex-end" gap="md">
        <Stack gap={4}>
          <Text size="sm" fw={500} id="notifications-show-label">
            {t('notifications.filters.readState')}
          </Text>
          <SegmentedControl
            aria-labelledby="notifications-show-label"
            value={filters.show}
            onChange={(value) => {
              change({ show: isReadState(value) ? value : 'all' });
            }}
            data={[
              { value: 'all', label: t('notifications.filters.all') },
              { value: 'unread', label: t('notifications.filters.unreadOnly') },
              { value: 'read', label: t('notifications.filters.readOnly') },
            ]}
          />
        </Stack>
        <NativeSelect
          label={t('notifications.filters.severity')}
          w={{ base: '100%', xs: 220 }}
          value={filters.severity ?? ''}
          onChange={(event) => {
            const value = event.currentTarget.value;
            change({ severity: isSeverity(value) ? value : null });
          }}
          data={[
            { value: '', label: t('notifications.filters.anySeverity') },
            ...SEVERITIES.map((severity) => ({
              value: severity,
              label: t(`notifications.severity.${severity}`),
            })),
          ]}
        />
      </Group>

      <QueryState
        query={list}
        errorTitle={t('notifications.loadFailed')}
        rowHeight={72}
        isEmpty={(data) => data.items.length === 0}
        empty={filtered ? t('notifications.page.emptyFiltered') : t('notifications.page.empty')}
      >
        {(data) => (
          <Paper withBorder radius="md" style={{ overflow: 'hidden' }} aria-busy={list.isPlaceholderData}>
            <ul className={classes.list} aria-label={t('notifications.title')}>
              {data.items.map((notification) => (
                <NotificationItem key={notification.id} notification={notification} />
              ))}
            </ul>
          </Paper>
        )}
      </QueryState>

      {list.data && list.data.pagination.total > 0 ? (
        <Pager
          label={t('notifications.page.pagination')}
          summary={t('notifications.page.total', { total: String(list.data.pagination.total) })}
          page={filters.page}
          pages={pages}
          onChange={(page) => {
            change({ ...filters, page });
          }}
        />
      ) : null}
    </Stack>
  );
}
