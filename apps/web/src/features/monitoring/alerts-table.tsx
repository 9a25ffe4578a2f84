import { Alert as Callout, Anchor, Badge, Button, Group, Stack, Table, Text } from '@mantine/core';
import { modals } from '@mantine/modals';
import { IconAlertCircle, IconCheck, IconTrash } from '@tabler/icons-react';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { EmptyState, LoadError, LoadingRows } from '../../components/query-state';
import { SectionHeading } from '../../components/section-heading';
import { formatDateTime } from '../../lib/i18n';
import { usePermission } from '../../lib/permissions';
import { alertsQueryOptions, useAcknowledgeAlert, useClearAlerts, type Alert } from './monitoring.queries';

const LEVEL_COLOR: Record<Alert['level'], string> = { warning: 'yellow', critical: 'red' };
const STATUS_COLOR: Record<Alert['status'], string> = {
  active: 'red',
  acknowledged: 'blue',
  resolved: 'teal',
};
const ACTIVE_PAGE = 200;
const RECENT_PAGE = 50;

function formatValue(value: Alert['value']): string {
  if (value === null) return '—';
  return typeof value === 'number' ? String(Math.round(value * 10) / 10) : value;
}

/** The alerts, active first; acknowledging and clearing for holders of manage_servers. */
export function AlertsTable() {
  const { t } = useTranslation();
  const canManage = usePermission('manage_servers');
  const active = useQuery(alertsQueryOptions({ status: 'active', per_page: ACTIVE_PAGE }));
  const recent = useQuery(alertsQueryOptions({ per_page: RECENT_PAGE }));
  const acknowledge = useAcknowledgeAlert();
  const clear = useClearAlerts();
  const [cleared, setCleared] = useState<number | null>(null);

  const heading = (
    <SectionHeading
      title={t('monitoring.alerts.title')}
      description={t('monitoring.alerts.description')}
      id="alerts-title"
    />
  );
  if (active.isError || recent.isError) {
    const error = active.error ?? recent.error;
    return (
      <Stack gap="sm">
        {heading}
        <LoadError
          title={t('monitoring.alerts.loadFailed')}
          message={error?.message ?? ''}
          onRetry={() => {
            void active.refetch();
            void recent.refetch();
          }}
        />
      </Stack>
    );
  }
  if (active.isPending || recent.isPending) {
    return (
      <Stack gap="sm">
        {heading}
        <LoadingRows rows={1} height={120} />
      </Stack>
    );
  }

  const alerts = [...active.data.alerts, ...recent.data.alerts.filter((alert) => alert.status !== 'active')];
  const total = recent.data.pagination.total;
  const clearable = Math.max(0, total - active.data.pagination.total);

  const confirmClear = () => {
    modals.openConfirmModal({
      title: t('monitoring.alerts.clearTitle'),
      children: <Text size="sm">{t('monitoring.alerts.clearBody', { count: clearable })}</Text>,
      labels: { confirm: t('monitoring.alerts.clearConfirm'), cancel: t('common.cancel') },
      confirmProps: { color: 'red' },
      onConfirm: () => {
        clear.mutate(undefined, {
          onSuccess: (result) => {
            setCleared(result.cleared);
          },
        });
      },
    });
  };

  return (
    <Stack gap="sm" component="section" aria-labelledby="alerts-title">
      <Group justify="space-between" align="flex-end" wrap="wrap">
        {heading}
        {canManage && clearable > 0 ? (
          <Button
            variant="light"
            color="red"
            leftSection={<IconTrash size={16} />}
            onClick={confirmClear}
            loading={clear.isPending}
          >
            {t('monitoring.alerts.clear')}
          </Button>
        ) : null}
      </Group>
      {cleared !== null ? (
        <Callout
          color="teal"
          role="status"
          withCloseButton
          onClose={() => {
            setCleared(null);
          }}
        >
          {t('monitoring.alerts.cleared', { count: cleared })}
        </Callout>
      ) : null}
      {clear.isError ? (
        <Callout color="red" icon={<IconAlertCircle size={18} />}>
          {t('monitoring.alerts.clearFailed', { error: clear.error.message })}
        </Callout>
      ) : null}
      {acknowledge.isError ? (
        <Callout color="red" icon={<IconAlertCircle size={18} />}>
          {t('monitoring.alerts.acknowledgeFailed', { error: acknowledge.error.message })}
        </Callout>
      ) : null}
      {alerts.length === 0 ? (
        <EmptyState>{t('monitoring.alerts.empty')}</EmptyState>
      ) : (
        <Table.ScrollContainer minWidth={820}>
          <Table striped highlightOnHover aria-labelledby="alerts-title">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>{t('monitoring.alerts.columns.level')}</Table.Th>
                <Table.Th>{t('monitoring.alerts.columns.server')}</Table.Th>
                <Table.Th>{t('monitoring.alerts.columns.message')}</Table.Th>
                <Table.Th>{t('monitoring.alerts.columns.value')}</Table.Th>
                <Table.Th>{t('monitoring.alerts.columns.status')}</Table.Th>
                <Table.Th>{t('monitoring.alerts.columns.raised')}</Table.Th>
                {canManage ? <Table.Th /> : null}
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {alerts.map((alert) => (
                <Table.Tr key={alert.id} data-testid={`alert-${String(alert.id)}`}>
                  <Table.Td>
                    <Badge color={LEVEL_COLOR[alert.level]} variant="light">
                      {t(`monitoring.alerts.levels.${alert.level}`)}
                    </Badge>
                  </Table.Td>
                  <Table.Td>
                    {alert.server === null ? (
                      t('monitoring.alerts.cluster')
                    ) : (
                      <Anchor component={Link} to={`/servers/${encodeURIComponent(alert.server)}`}>
                        {alert.server}
                      </Anchor>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Text size="sm" style={{ wordBreak: 'break-word' }}>
                      {alert.message}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {formatValue(alert.value)} / {alert.threshold === null ? '—' : String(alert.threshold)}
                  </Table.Td>
                  <Table.Td>
                    <Badge color={STATUS_COLOR[alert.status]} variant="outline">
                      {t(`monitoring.alerts.statuses.${alert.status}`)}
                    </Badge>
                    {alert.status === 'acknowledged' && alert.acknowledged_by ? (
                      <Text size="xs" c="dimmed">
                        {t('monitoring.alerts.acknowledgedBy', { user: alert.acknowledged_by })}
                      </Text>
                    ) : null}
                  </Table.Td>
                  <Table.Td>{formatDateTime(alert.raised_at)}</Table.Td>
                  {canManage ? (
                    <Table.Td>
                      {alert.status === 'active' ? (
                        <Button
                          size="xs"
                          variant="light"
                          leftSection={<IconCheck size={14} />}
                          aria-label={t('monitoring.alerts.acknowledgeLabel', { message: alert.message })}
                          loading={acknowledge.isPending && acknowledge.variables === alert.id}
                          onClick={() => {
                            acknowledge.mutate(alert.id);
                          }}
                        >
                          {t('monitoring.alerts.acknowledge')}
                        </Button>
                      ) : null}
                    </Table.Td>
                  ) : null}
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      {alerts.length < total ? (
        <Text size="sm" c="dimmed">
          {t('monitoring.alerts.more', { shown: String(alerts.length), total: String(total) })}
        </Text>
      ) : null}
    </Stack>
  );
}
