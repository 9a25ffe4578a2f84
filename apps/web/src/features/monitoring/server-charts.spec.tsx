import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fail, mockApi, ok, type Handlers } from '../../../test/api-mock';
import { adminUser, makeServer, makeSession } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';
import type { MonitoringConfig } from './monitoring.queries';

const CONFIG: MonitoringConfig = {
  cpu_warning_percent: 80,
  cpu_critical_percent: 95,
  mem_warning_percent: 85,
  mem_critical_percent: 95,
  disk_warning_percent: 85,
  disk_critical_percent: 95,
  alert_for_s: 300,
  tcp_port: 22,
  tcp_timeout_ms: 2000,
  node_exporter_port: 9100,
  prometheus_url: 'http://prom:9090',
  prometheus_username: null,
  prometheus_password: { set: false },
  prometheus_bearer_token: { set: false },
  prometheus_timeout_ms: 10000,
  grafana_url: 'https://grafana.example.com',
  grafana_dashboard_uid: 'proxdeck-node-exporter',
  grafana_org_id: 1,
  grafana_api_key: { set: false },
};

const two = (a: number, b: number): number[][] => [
  [1_764_500_000, a],
  [1_764_500_060, b],
];
const SERIES = {
  cpu: two(20, 42.5),
  mem: two(50, 55),
  disk: [],
  netin: two(1024, 2048),
  netout: two(512, 512),
  diskread: two(0, 0),
  diskwrite: two(0, 4096),
};

function chartsApi(overrides: Handlers = {}) {
  return mockApi({
    'GET /api/session/check': () => ok(makeSession(adminUser)),
    'GET /api/notifications/unread-count': () => ok({ count: 0 }),
    'GET /api/servers/{name}': () => ok(makeServer({ name: 'web-01' })),
    'GET /api/server_status/{name}': () =>
      ok({
        name: 'web-01',
        vmid: 101,
        node: 'pve1',
        status: 'running',
        qmpstatus: 'running',
        lock: null,
        cpu: 0.5,
        mem: 1,
        maxmem: 2,
        uptime: 60,
        agent: true,
      }),
    'GET /api/monitoring/config': () => ok(CONFIG),
    'GET /api/servers/{server_ip}/metrics': ({ query }) =>
      query.get('source') === 'node_exporter'
        ? ok({
            series: null,
            node_exporter: { ...SERIES, cpu: two(10, 12.5), load1: two(0.5, 0.75) },
            node_exporter_target: '10.0.0.5:9100',
          })
        : ok({ series: SERIES, node_exporter: null, node_exporter_target: '10.0.0.5:9100' }),
    'GET /api/grafana-dashboard/embed': ({ query }) =>
      ok({
        embed_url: `https://grafana.example.com/d/proxdeck-node-exporter?orgId=1&from=${query.get('from') ?? ''}&var-instance=10.0.0.5%3A9100&kiosk`,
      }),
    ...overrides,
  });
}

describe("a server's charts", () => {
  it('draws the RRD and node_exporter series with a chart library, and embeds Grafana filtered to the server', async () => {
    const api = chartsApi();
    renderApp('/servers/web-01?tab=metrics');
    const usage = await screen.findByTestId('chart-CPU, memory and disk use');
    expect(within(usage).getByText(/CPU use 42\.5%/)).toBeInTheDocument();
    // recharts draws SVG: one line per series.
    await waitFor(() => {
      expect(usage.querySelectorAll('.recharts-line').length).toBe(2);
    });
    expect(
      within(screen.getByTestId('chart-Network')).getByText(/Network in 2\.0 KB\/s/),
    ).toBeInTheDocument();
    const load = await screen.findByTestId('chart-Load');
    expect(within(load).getByText(/Load \(1 min\) 0\.75/)).toBeInTheDocument();
    expect(screen.getByText('Target 10.0.0.5:9100')).toBeInTheDocument();
    const frame = await screen.findByTitle('Grafana dashboard of web-01');
    expect(frame.getAttribute('src')).toContain('var-instance=10.0.0.5%3A9100');
    expect(frame.getAttribute('src')).toContain('kiosk');
    expect(
      api
        .calls('GET /api/servers/{server_ip}/metrics')
        .map((call) => call.query.get('source'))
        .sort(),
    ).toEqual(['node_exporter', 'pve']);
  });

  it('asks again over the time range picked, Grafana included', async () => {
    const api = chartsApi();
    renderApp('/servers/web-01?tab=metrics');
    await screen.findByTestId('chart-CPU, memory and disk use');
    const user = userEvent.setup();
    await user.click(screen.getByRole('radio', { name: 'Last week' }));
    await waitFor(() => {
      expect(
        api
          .calls('GET /api/servers/{server_ip}/metrics')
          .filter((call) => call.query.get('timeframe') === 'week')
          .map((call) => call.query.get('source'))
          .sort(),
      ).toEqual(['node_exporter', 'pve']);
    });
    await waitFor(() => {
      expect(api.calls('GET /api/grafana-dashboard/embed').map((call) => call.query.get('from'))).toContain(
        'now-7d',
      );
    });
  });

  it('shows Prometheus’s error beside RRD charts that still draw', async () => {
    chartsApi({
      'GET /api/servers/{server_ip}/metrics': ({ query }) =>
        query.get('source') === 'node_exporter'
          ? fail(502, 'PROMETHEUS_ERROR', 'Prometheus could not be reached: ECONNREFUSED')
          : ok({ series: SERIES, node_exporter: null, node_exporter_target: null }),
    });
    renderApp('/servers/web-01?tab=metrics');
    expect(await screen.findByText('Prometheus could not be reached: ECONNREFUSED')).toBeInTheDocument();
    expect(screen.getByTestId('chart-CPU, memory and disk use')).toBeInTheDocument();
  });

  it('says when Prometheus is off, and embeds no Grafana without its address', async () => {
    chartsApi({
      'GET /api/monitoring/config': () => ok({ ...CONFIG, prometheus_url: null, grafana_url: null }),
    });
    renderApp('/servers/web-01?tab=metrics');
    expect(await screen.findByText(/Prometheus is not configured/)).toBeInTheDocument();
    expect(screen.queryByTitle('Grafana dashboard of web-01')).toBeNull();
  });
});
