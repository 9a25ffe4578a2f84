import { baseUrl, type MonitoringSettingsValues } from './monitoring-settings';

/**
 * The Grafana links (docs/api.md §10) built from the settings: the node_exporter dashboard
 * (monitoring/grafana/dashboards/node-exporter.json) and its embed in kiosk mode, filtered to a server's
 * node_exporter target through the dashboard's `instance` variable.
 */

/** The dashboard variable the embed sets: the node_exporter target, `<address>:<port>` as Prometheus names it. */
export const INSTANCE_VARIABLE = 'instance';

/** Grafana's time: `now`, `now-6h`, `now-7d/d`, `now/d`, or Unix milliseconds. */
export const GRAFANA_TIME = /^(now(-\d{1,6}[smhdwMy])?(\/[smhdwMy])?|\d{10,13})$/;
export const GRAFANA_THEMES = ['light', 'dark'] as const;

export interface GrafanaDashboard {
  enabled: boolean;
  base_url: string | null;
  dashboard_uid: string;
  dashboard_url: string | null;
  org_id: number;
}

export function grafanaDashboard(settings: MonitoringSettingsValues): GrafanaDashboard {
  const base = settings.grafana_url === null ? null : baseUrl(settings.grafana_url);
  return {
    enabled: base !== null,
    base_url: base,
    dashboard_uid: settings.grafana_dashboard_uid,
    dashboard_url:
      base === null
        ? null
        : `${base}/d/${encodeURIComponent(settings.grafana_dashboard_uid)}?orgId=${String(settings.grafana_org_id)}`,
    org_id: settings.grafana_org_id,
  };
}

/**
 * The embed URL: the dashboard in kiosk mode (no menus), its time range and theme, and the `instance` variable
 * set to `target` (`ip:port`), or to every server (`$__all`) when null.
 */
export function grafanaEmbedUrl(
  settings: MonitoringSettingsValues,
  options: { target: string | null; from: string; to: string; theme: (typeof GRAFANA_THEMES)[number] },
): string | null {
  const { dashboard_url: url } = grafanaDashboard(settings);
  if (url === null) return null;
  const query = new URLSearchParams({
    from: options.from,
    to: options.to,
    theme: options.theme,
    [`var-${INSTANCE_VARIABLE}`]: options.target ?? '$__all',
  });
  // A bare `kiosk` (Grafana reads it as true): full kiosk mode in every Grafana release since 6.
  return `${url}&${query.toString()}&kiosk`;
}
