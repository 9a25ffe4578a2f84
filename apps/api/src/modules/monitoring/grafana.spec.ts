import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseConfig } from '../../platform/config/config.schema';
import { GRAFANA_TIME, grafanaDashboard, grafanaEmbedUrl, INSTANCE_VARIABLE } from './grafana';
import { settingsFromEnv } from './monitoring-settings';

const root = resolve(__dirname, '../../../../..');
const read = (path: string) => readFileSync(resolve(root, path), 'utf8');

interface Dashboard {
  uid: string;
  templating: { list: { name: string; type: string; includeAll?: boolean; query?: unknown }[] };
  panels: { id: number; title: string; targets: { expr: string }[] }[];
}

describe('the Grafana dashboard and its links', () => {
  const dashboard = JSON.parse(read('monitoring/grafana/dashboards/node-exporter.json')) as Dashboard;
  const defaults = settingsFromEnv(parseConfig({}));

  it('ships a dashboard whose uid is the default setting, with the variable the embed sets', () => {
    expect(dashboard.uid).toBe(defaults.grafana_dashboard_uid);
    const instance = dashboard.templating.list.find((v) => v.name === INSTANCE_VARIABLE);
    expect(instance).toMatchObject({ type: 'query', includeAll: true });
    expect(JSON.stringify(instance?.query)).toContain('node_uname_info');
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(5);
    expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
    for (const panel of dashboard.panels) {
      expect(panel.targets.length).toBeGreaterThan(0);
      // Every query is filtered by the variable, so that the embed shows only the server asked for.
      for (const target of panel.targets) expect(target.expr).toContain(`instance=~"$${INSTANCE_VARIABLE}"`);
    }
  });

  it('provisions it from the folder docker/compose.yml mounts', () => {
    const provider = read('monitoring/grafana/provisioning/dashboards/proxdeck.yaml');
    const path = /path:\s*(\S+)/.exec(provider)?.[1];
    expect(path).toBe('/var/lib/grafana/dashboards/proxdeck');
    expect(read('docker/compose.yml')).toContain(`../monitoring/grafana/dashboards:${String(path)}:ro`);
  });

  it('builds the dashboard and embed URLs from the settings', () => {
    expect(grafanaDashboard(defaults)).toEqual({
      enabled: false,
      base_url: null,
      dashboard_uid: 'proxdeck-node-exporter',
      dashboard_url: null,
      org_id: 1,
    });
    const settings = { ...defaults, grafana_url: 'https://g.example.com/grafana/', grafana_org_id: 3 };
    expect(grafanaDashboard(settings).dashboard_url).toBe(
      'https://g.example.com/grafana/d/proxdeck-node-exporter?orgId=3',
    );
    const url = new URL(
      grafanaEmbedUrl(settings, { target: '10.0.0.5:9100', from: 'now-6h', to: 'now', theme: 'dark' }) ?? '',
    );
    expect(url.pathname).toBe('/grafana/d/proxdeck-node-exporter');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      orgId: '3',
      from: 'now-6h',
      to: 'now',
      theme: 'dark',
      'var-instance': '10.0.0.5:9100',
      kiosk: '',
    });
    expect(url.search).toMatch(/&kiosk$/);
    const all = new URL(
      grafanaEmbedUrl(settings, { target: null, from: 'now-1h', to: 'now', theme: 'light' }) ?? '',
    );
    expect(all.searchParams.get('var-instance')).toBe('$__all');
    expect(grafanaEmbedUrl(defaults, { target: null, from: 'now-1h', to: 'now', theme: 'light' })).toBeNull();
  });

  it('accepts Grafana times only', () => {
    for (const ok of ['now', 'now-1h', 'now-7d/d', 'now/d', '1700000000000'])
      expect(GRAFANA_TIME.test(ok)).toBe(true);
    for (const bad of ['', 'yesterday', 'now-1x', 'now+1h', '12', 'now-1h&kiosk=tv'])
      expect(GRAFANA_TIME.test(bad)).toBe(false);
  });
});
