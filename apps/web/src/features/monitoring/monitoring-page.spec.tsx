import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fail, mockApi, ok, type Handlers } from '../../../test/api-mock';
import { adminUser, makeServer, makeSession, viewerUser } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';
import type { User } from '../auth/auth.queries';
import type { Alert, ServerHealth } from './monitoring.queries';

function makeAlert(overrides: Partial<Alert> = {}): Alert {
  return {
    id: 1,
    key: 'cpu_high:web-01',
    type: 'cpu_high',
    level: 'critical',
    server: 'web-01',
    message: 'CPU at 97% on web-01',
    value: 97.24,
    threshold: 95,
    status: 'active',
    raised_at: '2026-11-30T10:00:00.000Z',
    acknowledged_at: null,
    acknowledged_by: null,
    resolved_at: null,
    ...overrides,
  };
}

const activeAlert = makeAlert();
const resolvedAlert = makeAlert({
  id: 2,
  key: 'server_down:db-01',
  type: 'server_down',
  level: 'warning',
  server: 'db-01',
  message: 'db-01 is down',
  value: null,
  threshold: null,
  status: 'resolved',
  resolved_at: '2026-11-30T11:00:00.000Z',
});

const sickServer: ServerHealth = {
  server_ip: '10.0.0.5',
  name: 'db-01',
  status: 'critical',
  checks: { pve: 'stopped', tcp: 'failed', agent: 'not_checked' },
  metrics: { cpu_percent: null, mem_percent: null, disk_percent: null, netin_bps: null, netout_bps: null },
  issues: [
    { type: 'server_down', level: 'critical', message: 'The VM is stopped', value: null, threshold: null },
  ],
  uptime_s: null,
  checked_at: '2026-11-30T11:00:00.000Z',
};

const page = (total: number) => ({ pagination: { page: 1, per_page: 50, total, pages: 1 } });

function monitoringApi(user: User, overrides: Handlers = {}) {
  return mockApi({
    'GET /api/session/check': () => ok(makeSession(user)),
    'GET /api/monitoring/summary': () =>
      ok({
        total_servers: 7,
        healthy: 5,
        warning: 0,
        critical: 1,
        unknown: 1,
        active_alerts: 1,
        last_update: '2026-11-30T11:00:00.000Z',
      }),
    'GET /api/servers/health-summary': () =>
      ok({ total: 7, healthy: 5, warning: 0, critical: 1, unknown: 1, problematic: [sickServer] }),
    'GET /api/alerts': ({ query }) =>
      query.get('status') === 'active'
        ? ok([activeAlert], page(1))
        : ok([resolvedAlert, activeAlert], page(2)),
    ...overrides,
  });
}

describe('the monitoring page', () => {
  it('shows the counts, the alerts active first, and the servers with problems linking to their page', async () => {
    monitoringApi(viewerUser);
    renderApp('/monitoring');

    expect(await screen.findByRole('heading', { name: 'Monitoring', level: 1 })).toBeInTheDocument();
    expect(within(await screen.findByTestId('summary-total')).getByText('7')).toBeInTheDocument();
    expect(within(screen.getByTestId('summary-activeAlerts')).getByText('1')).toBeInTheDocument();

    const table = await screen.findByRole('table', { name: 'Alerts' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((row) => row.getAttribute('data-testid'))).toEqual(['alert-1', 'alert-2']);
    const active = within(screen.getByTestId('alert-1'));
    expect(active.getByText('Critical')).toBeInTheDocument();
    expect(active.getByText('CPU at 97% on web-01')).toBeInTheDocument();
    expect(active.getByText('97.2 / 95')).toBeInTheDocument();
    expect(active.getByText('Active')).toBeInTheDocument();
    expect(within(screen.getByTestId('alert-2')).getByText('Resolved')).toBeInTheDocument();

    const problem = within(await screen.findByTestId('problem-db-01'));
    expect(problem.getByText('The VM is stopped')).toBeInTheDocument();
    expect(problem.getByText(/Proxmox: stopped · SSH port: failed/)).toBeInTheDocument();
    expect(problem.getByRole('link', { name: 'db-01' })).toHaveAttribute('href', '/servers/db-01');

    // A viewer may look, not act.
    expect(screen.queryByRole('button', { name: /Acknowledge/ })).not.toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Clear acknowledged and resolved' })).not.toBeInTheDocument();
  });

  it('acknowledges an alert, and clears the acknowledged and resolved ones after a confirmation', async () => {
    const api = monitoringApi(adminUser, {
      'POST /api/alerts/{alert_id}/acknowledge': ({ params }) =>
        ok(makeAlert({ id: Number(params.alert_id), status: 'acknowledged', acknowledged_by: 'admin' })),
      'POST /api/alerts/clear': () => ok({ ids: [2], cleared: 1 }),
    });
    renderApp('/monitoring');
    const user = userEvent.setup();

    await user.click(
      await screen.findByRole('button', { name: 'Acknowledge the alert: CPU at 97% on web-01' }),
    );
    await waitFor(() => {
      expect(api.calls('POST /api/alerts/{alert_id}/acknowledge').map((call) => call.params)).toEqual([
        { alert_id: '1' },
      ]);
    });

    await user.click(screen.getByRole('button', { name: 'Clear acknowledged and resolved' }));
    const dialog = await screen.findByRole('dialog');
    expect(
      within(dialog).getByText('This removes 1 acknowledged or resolved alert for good. Active alerts stay.'),
    ).toBeInTheDocument();
    expect(api.calls('POST /api/alerts/clear')).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Clear them' }));
    await waitFor(() => {
      expect(api.calls('POST /api/alerts/clear').map((call) => call.body)).toEqual([{}]);
    });
    expect(await screen.findByText('1 alert cleared.')).toBeInTheDocument();
  });

  it('says when there are no alerts and every server is healthy', async () => {
    monitoringApi(viewerUser, {
      'GET /api/alerts': () => ok([], page(0)),
      'GET /api/servers/health-summary': () =>
        ok({ total: 2, healthy: 2, warning: 0, critical: 0, unknown: 0, problematic: [] }),
    });
    renderApp('/monitoring');
    expect(await screen.findByText('No alerts.')).toBeInTheDocument();
    expect(await screen.findByText('Every server is healthy.')).toBeInTheDocument();
  });

  it('shows what failed to load, with a retry', async () => {
    const api = monitoringApi(viewerUser, {
      'GET /api/alerts': () => fail(500, 'INTERNAL', 'The database is unreachable'),
      'GET /api/monitoring/summary': () => fail(500, 'INTERNAL', 'The database is unreachable'),
    });
    renderApp('/monitoring');
    expect(await screen.findByText('The alerts could not be loaded.')).toBeInTheDocument();
    expect(await screen.findByText('The monitoring data could not be loaded.')).toBeInTheDocument();
    expect(await screen.findByTestId('problem-db-01')).toBeInTheDocument();

    const before = api.calls('GET /api/alerts').length;
    const user = userEvent.setup();
    const alertsError = screen.getByText('The alerts could not be loaded.').closest('[role="alert"]');
    await user.click(within(alertsError as HTMLElement).getByRole('button', { name: 'Try again' }));
    await waitFor(() => {
      expect(api.calls('GET /api/alerts').length).toBeGreaterThan(before);
    });
  });

  it("draws a server's metrics over the timeframe picked", async () => {
    const api = monitoringApi(viewerUser, {
      'GET /api/servers': () =>
        ok([makeServer({ name: 'web-01' })], { pagination: { page: 1, per_page: 200, total: 1, pages: 1 } }),
      'GET /api/servers/{server_ip}/metrics': () =>
        ok({
          series: {
            cpu: [
              [1_764_500_000, 20],
              [1_764_500_060, 42.5],
            ],
            mem: [],
            disk: [],
            netin: [
              [1_764_500_000, 1024],
              [1_764_500_060, 2048],
            ],
            netout: [],
            diskread: [],
            diskwrite: [],
          },
          node_exporter: null,
          node_exporter_target: null,
        }),
    });
    renderApp('/monitoring');
    const user = userEvent.setup();

    await user.click(await screen.findByRole('textbox', { name: 'Server' }));
    await user.click(await screen.findByRole('option', { name: 'web-01' }));
    expect(
      await within(await screen.findByTestId('metric-cpu')).findByText('latest 42.5%'),
    ).toBeInTheDocument();
    expect(
      within(screen.getByTestId('metric-cpu')).getByRole('img', { name: 'CPU use' }),
    ).toBeInTheDocument();
    expect(within(screen.getByTestId('metric-netin')).getByText('latest 2.0 KB/s')).toBeInTheDocument();
    expect(within(screen.getByTestId('metric-mem')).getByText('No data')).toBeInTheDocument();

    await user.click(screen.getByRole('textbox', { name: 'Timeframe' }));
    await user.click(await screen.findByRole('option', { name: 'Last week' }));
    await waitFor(() => {
      expect(
        api
          .calls('GET /api/servers/{server_ip}/metrics')
          .map((call) => [call.params, call.query.get('timeframe')]),
      ).toEqual([
        [{ server_ip: 'web-01' }, 'hour'],
        [{ server_ip: 'web-01' }, 'week'],
      ]);
    });
  });
});
