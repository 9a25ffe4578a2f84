import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { fail, mockApi, ok, type Handlers } from '../../../test/api-mock';
import { adminUser, makeServer, makeSession, viewerUser } from '../../../test/fixtures';
import { renderApp } from '../../../test/render-app';
import type { User } from '../auth/auth.queries';
import type { ConfigField, MonitoringConfig } from './monitoring.queries';

const FIELDS: ConfigField[] = [
  {
    key: 'cpu_warning_percent',
    group: 'thresholds',
    type: 'number',
    description: 'CPU use at or above this is a warning',
    env: 'HEALTH_CPU_WARNING_PERCENT',
    min: 1,
    max: 100,
    unit: '%',
    nullable: false,
    value: 70,
    default: 80,
    changed: true,
  },
  {
    key: 'alert_for_s',
    group: 'thresholds',
    type: 'number',
    description: 'How long a threshold must hold',
    env: 'ALERT_FOR_S',
    min: 0,
    max: 86400,
    integer: true,
    nullable: false,
    value: 300,
    default: 300,
    changed: false,
  },
  {
    key: 'prometheus_url',
    group: 'prometheus',
    type: 'url',
    description: 'Prometheus’s address',
    env: 'PROMETHEUS_URL',
    nullable: true,
    value: null,
    default: null,
    changed: false,
  },
  {
    key: 'grafana_api_key',
    group: 'grafana',
    type: 'secret',
    description: 'A Grafana service account token',
    env: 'GRAFANA_API_KEY',
    nullable: true,
    value: { set: true },
    default: { set: false },
    changed: true,
  },
];

function settingsApi(user: User, overrides: Handlers = {}) {
  return mockApi({
    'GET /api/session/check': () => ok(makeSession(user)),
    'GET /api/notifications/unread-count': () => ok({ count: 0 }),
    'GET /api/monitoring/config-page': () => ok({ fields: FIELDS }),
    ...overrides,
  });
}

describe('the monitoring settings page', () => {
  it('shows each setting with its environment value, and secrets only as set', async () => {
    settingsApi(adminUser);
    renderApp('/monitoring/settings');
    const cpu = await screen.findByRole('textbox', { name: /cpu_warning_percent/ });
    expect(cpu).toHaveValue('70');
    expect(screen.getByText(/Environment: HEALTH_CPU_WARNING_PERCENT = 80/)).toBeInTheDocument();
    const secret = screen.getByLabelText(/grafana_api_key/);
    expect(secret).toHaveValue('');
    expect(within(screen.getByRole('group', { name: 'Grafana' })).getByText('Set')).toBeInTheDocument();
    expect(document.body.textContent).not.toMatch(/glsa/);
  });

  it('sends only what changed, and shows the server’s word under each bad field', async () => {
    const api = settingsApi(adminUser, {
      'POST /api/monitoring/config': () =>
        fail(400, 'VALIDATION_FAILED', 'Invalid input: cpu_warning_percent, prometheus_url', {
          fields: {
            cpu_warning_percent: 'must not exceed cpu_critical_percent (95)',
            prometheus_url: 'must be an http or https URL',
          },
        }),
    });
    renderApp('/monitoring/settings');
    const user = userEvent.setup();
    const cpu = await screen.findByRole('textbox', { name: /cpu_warning_percent/ });
    await user.clear(cpu);
    await user.type(cpu, '96');
    await user.type(screen.getByRole('textbox', { name: /prometheus_url/ }), 'ftp://prom');
    await user.type(screen.getByLabelText(/grafana_api_key/), 'new-key');
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => {
      expect(api.calls('POST /api/monitoring/config')).toHaveLength(1);
    });
    expect(api.calls('POST /api/monitoring/config')[0]?.body).toEqual({
      cpu_warning_percent: 96,
      prometheus_url: 'ftp://prom',
      grafana_api_key: 'new-key',
    });
    expect(await screen.findByText('must not exceed cpu_critical_percent (95)')).toBeInTheDocument();
    expect(screen.getByText('must be an http or https URL')).toBeInTheDocument();
  });

  it('removes a secret and takes a setting back to the environment’s value', async () => {
    const api = settingsApi(adminUser, {
      'POST /api/monitoring/config': () => ok({} as MonitoringConfig),
    });
    renderApp('/monitoring/settings');
    const user = userEvent.setup();
    await screen.findByRole('textbox', { name: /cpu_warning_percent/ });
    await user.click(screen.getByRole('button', { name: 'Remove' }));
    expect(screen.getByText(/It will be removed when you save\./)).toBeInTheDocument();
    await user.click(screen.getAllByRole('button', { name: 'Back to the environment’s value' })[0]!);
    await user.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => {
      expect(api.calls('POST /api/monitoring/config')[0]?.body).toEqual({
        cpu_warning_percent: null,
        grafana_api_key: '',
      });
    });
    expect(await screen.findByText('The monitoring settings were saved.')).toBeInTheDocument();
  });

  it('is for administrators: the monitoring page offers it to them alone, and Grafana to everyone when set', async () => {
    const monitoringHandlers: Handlers = {
      'GET /api/monitoring/summary': () =>
        ok({
          total_servers: 0,
          healthy: 0,
          warning: 0,
          critical: 0,
          unknown: 0,
          active_alerts: 0,
          last_update: '2026-11-30T11:00:00.000Z',
        }),
      'GET /api/servers/health-summary': () =>
        ok({ total: 0, healthy: 0, warning: 0, critical: 0, unknown: 0, problematic: [] }),
      'GET /api/alerts': () => ok([], { pagination: { page: 1, per_page: 50, total: 0, pages: 0 } }),
      'GET /api/servers': () =>
        ok([makeServer({ name: 'web-01' })], { pagination: { page: 1, per_page: 200, total: 1, pages: 1 } }),
      'GET /api/grafana-dashboard': () =>
        ok({
          enabled: true,
          base_url: 'https://grafana.example.com',
          dashboard_uid: 'proxdeck-node-exporter',
          dashboard_url: 'https://grafana.example.com/d/proxdeck-node-exporter?orgId=1',
          org_id: 1,
        }),
    };
    settingsApi(viewerUser, monitoringHandlers);
    const { unmount } = renderApp('/monitoring');
    expect(await screen.findByRole('heading', { name: 'Monitoring' })).toBeInTheDocument();
    expect(await screen.findByRole('link', { name: 'Open in Grafana' })).toHaveAttribute(
      'href',
      'https://grafana.example.com/d/proxdeck-node-exporter?orgId=1',
    );
    expect(screen.queryByRole('link', { name: 'Settings' })).toBeNull();
    unmount();

    settingsApi(adminUser, monitoringHandlers);
    renderApp('/monitoring');
    const settings = await screen.findByRole('link', { name: 'Settings' });
    await userEvent.setup().click(settings);
    expect(await screen.findByRole('heading', { name: 'Monitoring settings' })).toBeInTheDocument();
    expect(await screen.findByRole('textbox', { name: /CPU warning/ })).toHaveValue('70');
  });
});
