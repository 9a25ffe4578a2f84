/**
 * Monitoring (docs/api.md §9): the summary, the servers' health, their metrics and the alerts. Every key lives
 * under `alerts` or `monitoring`, which the live `alert` event invalidates: the page follows without polling.
 */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, toApiError, unwrap, type Schemas } from '../../lib/api';
import {
  queryKeys,
  type AlertListQuery,
  type MetricsSource,
  type MetricsTimeframe,
} from '../../lib/query-keys';

export type Alert = Schemas['AlertDto'];
export type ServerHealth = Schemas['ServerHealthDto'];
export type HealthIssue = Schemas['HealthIssueDto'];
export type MetricSeries = NonNullable<Schemas['MetricsDto']['series']>;
export type NodeExporterSeries = NonNullable<Schemas['MetricsDto']['node_exporter']>;
export type MonitoringConfig = Schemas['MonitoringConfigDto'];
export type ConfigField = Schemas['ConfigFieldDto'];
export type ConfigChange = Schemas['UpdateMonitoringConfigDto'];
export type { MetricsSource, MetricsTimeframe };

export const monitoringSummaryQueryOptions = queryOptions({
  queryKey: queryKeys.monitoring.summary(),
  queryFn: () => unwrap(api.GET('/api/monitoring/summary')),
});

export const healthSummaryQueryOptions = queryOptions({
  queryKey: queryKeys.monitoring.healthSummary(),
  queryFn: () => unwrap(api.GET('/api/servers/health-summary')),
});

export const alertsQueryOptions = (query: AlertListQuery) =>
  queryOptions({
    queryKey: queryKeys.alerts.list(query),
    queryFn: async () => {
      const { data, error, response } = await api.GET('/api/alerts', { params: { query } });
      if (data === undefined) throw toApiError(error, response);
      return { alerts: data.data, pagination: data.pagination };
    },
  });

/** A server's charts from one source: `pve` (RRD) or `node_exporter` (Prometheus), asked apart so each fails alone. */
export const metricsQueryOptions = (
  name: string,
  timeframe: MetricsTimeframe,
  source: MetricsSource = 'pve',
) =>
  queryOptions({
    queryKey: queryKeys.monitoring.metrics(name, timeframe, source),
    queryFn: () =>
      unwrap(
        api.GET('/api/servers/{server_ip}/metrics', {
          params: { path: { server_ip: name }, query: { timeframe, source } },
        }),
      ),
  });

export const monitoringConfigQueryOptions = queryOptions({
  queryKey: queryKeys.monitoring.config(),
  queryFn: () => unwrap(api.GET('/api/monitoring/config')),
});

export const grafanaDashboardQueryOptions = queryOptions({
  queryKey: queryKeys.monitoring.grafanaDashboard(),
  queryFn: () => unwrap(api.GET('/api/grafana-dashboard')),
});

export const configPageQueryOptions = queryOptions({
  queryKey: queryKeys.monitoring.configPage(),
  queryFn: () => unwrap(api.GET('/api/monitoring/config-page')),
});

/** The Grafana embed of a server's node_exporter dashboard (kiosk), over the chart's time range. */
export const grafanaEmbedQueryOptions = (name: string, from: string, theme: 'light' | 'dark') =>
  queryOptions({
    queryKey: queryKeys.monitoring.grafanaEmbed(name, from, theme),
    queryFn: () =>
      unwrap(
        api.GET('/api/grafana-dashboard/embed', {
          params: { query: { server: name, from, to: 'now', theme } },
        }),
      ),
  });

/** POST /api/monitoring/config (admin_access): only the settings changed; the server names each bad field. */
export function useUpdateMonitoringConfig() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (change: ConfigChange) => unwrap(api.POST('/api/monitoring/config', { body: change })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.all });
    },
  });
}

function useRefreshAlerts() {
  const queryClient = useQueryClient();
  return () => {
    void queryClient.invalidateQueries({ queryKey: queryKeys.alerts.all });
    void queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.summary() });
  };
}

/** POST /api/alerts/{alert_id}/acknowledge (manage_servers). */
export function useAcknowledgeAlert() {
  const refresh = useRefreshAlerts();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.POST('/api/alerts/{alert_id}/acknowledge', { params: { path: { alert_id: String(id) } } })),
    onSuccess: refresh,
  });
}

/** POST /api/alerts/clear without ids: every acknowledged and resolved alert (manage_servers). */
export function useClearAlerts() {
  const refresh = useRefreshAlerts();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/alerts/clear', { body: {} })),
    onSuccess: refresh,
  });
}
