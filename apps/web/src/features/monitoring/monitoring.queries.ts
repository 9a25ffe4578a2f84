/**
 * Monitoring (docs/api.md §9): the summary, the servers' health, their metrics and the alerts. Every key lives
 * under `alerts` or `monitoring`, which the live `alert` event invalidates: the page follows without polling.
 */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, toApiError, unwrap, type Schemas } from '../../lib/api';
import { queryKeys, type AlertListQuery, type MetricsTimeframe } from '../../lib/query-keys';

export type Alert = Schemas['AlertDto'];
export type ServerHealth = Schemas['ServerHealthDto'];
export type HealthIssue = Schemas['HealthIssueDto'];
export type MetricSeries = NonNullable<Schemas['MetricsDto']['series']>;
export type { MetricsTimeframe };

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

export const metricsQueryOptions = (name: string, timeframe: MetricsTimeframe) =>
  queryOptions({
    queryKey: queryKeys.monitoring.metrics(name, timeframe),
    queryFn: () =>
      unwrap(
        api.GET('/api/servers/{server_ip}/metrics', {
          params: { path: { server_ip: name }, query: { timeframe, source: 'pve' } },
        }),
      ),
  });

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
