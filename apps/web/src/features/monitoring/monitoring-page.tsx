import { Button, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useDocumentTitle } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import { IconExternalLink, IconSettings } from '@tabler/icons-react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { LoadError, LoadingRows } from '../../components/query-state';
import { Can } from '../../lib/permissions';
import { formatDateTime } from '../../lib/i18n';
import { AlertsTable } from './alerts-table';
import { grafanaDashboardQueryOptions, monitoringSummaryQueryOptions } from './monitoring.queries';
import { ProblemServers } from './problem-servers';
import { ServerMetrics } from './server-metrics';

type SummaryKey = 'total' | 'healthy' | 'warning' | 'critical' | 'unknown' | 'activeAlerts';
const SUMMARY_COLOR: Partial<Record<SummaryKey, string>> = {
  healthy: 'teal',
  warning: 'yellow',
  critical: 'red',
  activeAlerts: 'red',
};

/**
 * Monitoring (docs/api.md §9): the summary counts, the alerts, the servers with problems and one server's
 * metrics. Every query is
 * refreshed by the live `alert` event, so the page follows without polling.
 */
export function MonitoringPage() {
  const { t } = useTranslation();
  useDocumentTitle(`${t('monitoring.title')} · ${t('app.name')}`);
  return (
    <Stack gap="xl">
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <div>
          <Title order={1} size="h2">
            {t('monitoring.title')}
          </Title>
          <Text c="dimmed">{t('monitoring.description')}</Text>
        </div>
        <Group gap="xs">
          <GrafanaLink />
          <Can permission="admin_access">
            <Button
              component={Link}
              to="/monitoring/settings"
              variant="default"
              leftSection={<IconSettings size={16} />}
            >
              {t('monitoring.settings.open')}
            </Button>
          </Can>
        </Group>
      </Group>
      <SummaryCounts />
      <AlertsTable />
      <ProblemServers />
      <ServerMetrics />
    </Stack>
  );
}

/** The Grafana dashboard of every server, when Grafana is configured. */
function GrafanaLink() {
  const { t } = useTranslation();
  const grafana = useQuery(grafanaDashboardQueryOptions);
  if (!grafana.data?.enabled || grafana.data.dashboard_url === null) return null;
  return (
    <Button
      component="a"
      href={grafana.data.dashboard_url}
      target="_blank"
      rel="noreferrer"
      variant="default"
      leftSection={<IconExternalLink size={16} />}
    >
      {t('monitoring.settings.grafanaOpen')}
    </Button>
  );
}

function SummaryCounts() {
  const { t } = useTranslation();
  const summary = useQuery(monitoringSummaryQueryOptions);
  if (summary.isError)
    return (
      <LoadError
        title={t('monitoring.loadFailed')}
        message={summary.error.message}
        onRetry={() => void summary.refetch()}
      />
    );
  if (summary.isPending) return <LoadingRows rows={1} height={80} />;
  const data = summary.data;
  const counts: [SummaryKey, number][] = [
    ['total', data.total_servers],
    ['healthy', data.healthy],
    ['warning', data.warning],
    ['critical', data.critical],
    ['unknown', data.unknown],
    ['activeAlerts', data.active_alerts],
  ];
  return (
    <Stack gap={4} component="section" aria-label={t('monitoring.summary.label')}>
      <SimpleGrid cols={{ base: 2, sm: 3, lg: 6 }}>
        {counts.map(([key, value]) => (
          <Paper key={key} withBorder p="md" radius="md" data-testid={`summary-${key}`}>
            <Text size="sm" c="dimmed">
              {t(`monitoring.summary.${key}`)}
            </Text>
            <Text fz={28} fw={700} c={value > 0 ? SUMMARY_COLOR[key] : undefined}>
              {value}
            </Text>
          </Paper>
        ))}
      </SimpleGrid>
      <Text size="xs" c="dimmed">
        {t('monitoring.summary.updated', { time: formatDateTime(data.last_update) })}
      </Text>
    </Stack>
  );
}
