import { randomBytes } from 'node:crypto';
import { createServer, type Server as NetServer } from 'node:net';
import type { RunningPveSimulator } from '@proxdeck/pve-sim';
import { DataSource } from 'typeorm';
import { ServersRepository } from '../../src/modules/servers';
import { EventsService } from '../../src/platform/events/events.service';
import { startSimulatorApp } from '../support/simulator-app';
import type { Caller, TestApp } from '../support/test-app';

/**
 * The monitoring settings (docs/api.md §10): stored in the database over the environment's values, validated with
 * the field named, effective at once (the health check and service discovery read them), secrets write-only and
 * never in an answer, the audit trail or a log line.
 */
describe('monitoring settings', () => {
  let simulator: RunningPveSimulator;
  let t: TestApp;
  let admin: Caller;
  let viewer: Caller;
  let operator: Caller;
  let db: DataSource;
  let listener: NetServer;
  let port: number;
  const tag = randomBytes(2).toString('hex');
  const name = (suffix: string) => `mset-${tag}-${suffix}`;
  const secret = `s3cr3t-${randomBytes(8).toString('hex')}`;

  beforeAll(async () => {
    listener = createServer((socket) => socket.end());
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
    ({ simulator, t } = await startSimulatorApp(0.05, {
      RUN_WORKERS: 'false',
      HEALTH_TCP_PORT: '1',
      HEALTH_TCP_TIMEOUT_MS: '500',
      GRAFANA_URL: 'https://grafana.example.com',
    }));
    db = t.app.get(DataSource);
    admin = await t.admin();
    const v = await t.createUser('viewer');
    viewer = await t.login(v.username, v.password);
    const o = await t.createUser('operator');
    operator = await t.login(o.username, o.password);
  });
  afterAll(async () => {
    // The integration database is shared by every file: the settings go back to the environment's values.
    await db.query('DELETE FROM monitoring_settings');
    await db.query('DELETE FROM servers WHERE name LIKE $1', [`mset-${tag}-%`]);
    await t.close();
    await simulator.close();
    await new Promise((resolve) => listener.close(resolve));
  });

  const config = async (caller: Caller = admin) => {
    const response = await caller.request('GET', '/api/monitoring/config');
    expect(response.status).toBe(200);
    return response.json<{ data: Record<string, unknown> }>().data;
  };

  it('shows the environment’s values at first, every secret as {set}', async () => {
    const values = await config(viewer);
    expect(values).toMatchObject({
      cpu_warning_percent: 80,
      tcp_port: 1,
      tcp_timeout_ms: 500,
      node_exporter_port: 9100,
      prometheus_url: null,
      prometheus_password: { set: false },
      prometheus_bearer_token: { set: false },
      grafana_url: 'https://grafana.example.com',
      grafana_dashboard_uid: 'proxdeck-node-exporter',
      grafana_org_id: 1,
      grafana_api_key: { set: false },
    });
  });

  it('only administrators change them; a change is partial, stored, and its secrets never come back', async () => {
    expect(
      (await operator.request('POST', '/api/monitoring/config', { body: { alert_for_s: 5 } })).status,
    ).toBe(403);
    const response = await admin.request('POST', '/api/monitoring/config', {
      body: { alert_for_s: 60, prometheus_url: 'http://127.0.0.1:9', grafana_api_key: secret },
    });
    expect(response.status).toBe(200);
    expect(response.body).not.toContain(secret);
    expect(response.json<{ data: unknown }>().data).toMatchObject({
      alert_for_s: 60,
      prometheus_url: 'http://127.0.0.1:9',
      grafana_api_key: { set: true },
      cpu_warning_percent: 80,
    });
    const again = await admin.request('GET', '/api/monitoring/config');
    expect(again.body).not.toContain(secret);
    expect(again.json<{ data: unknown }>().data).toMatchObject({
      alert_for_s: 60,
      grafana_api_key: { set: true },
    });
    const page = await viewer.request('GET', '/api/monitoring/config-page');
    expect(page.body).not.toContain(secret);
    const fields = page.json<{ data: { fields: Record<string, unknown>[] } }>().data.fields;
    expect(fields.find((f) => f.key === 'alert_for_s')).toMatchObject({
      group: 'thresholds',
      type: 'number',
      min: 0,
      max: 86_400,
      unit: 's',
      env: 'ALERT_FOR_S',
      value: 60,
      default: 300,
      changed: true,
      description: expect.stringMatching(/alert/) as unknown,
    });
    expect(fields.find((f) => f.key === 'grafana_api_key')).toMatchObject({
      type: 'secret',
      value: { set: true },
      default: { set: false },
    });
    expect(fields.find((f) => f.key === 'cpu_warning_percent')).toMatchObject({ changed: false, value: 80 });

    // The audit trail keeps the change without the secret.
    const audit = await admin.request('GET', '/api/audit?per_page=5&action=POST /api/monitoring/config');
    expect(audit.body).not.toContain(secret);
    expect(
      audit.json<{ data: { params: { body: Record<string, unknown> } }[] }>().data[0]?.params.body,
    ).toMatchObject({
      alert_for_s: 60,
      grafana_api_key: '[redacted]',
    });
    const rows = await db.query<{ row: string }[]>('SELECT row_to_json(a)::text AS row FROM audit_log a');
    expect(rows.some((r) => r.row.includes(secret))).toBe(false);
    // Open pages are told which settings changed (a `settings` event), never a value.
    const events = t.app.get(EventsService);
    const logged = (await events.readAfter('0-0', 10_000)).filter((event) => event.event === 'settings');
    expect(logged.at(-1)?.data).toEqual({
      scope: 'monitoring',
      keys: ['alert_for_s', 'grafana_api_key', 'prometheus_url'],
    });
    expect(logged.at(-1)?.audience).toMatchObject({ broadcast: true });
    expect(JSON.stringify(logged)).not.toContain(secret);

    // null goes back to the environment's value; "" turns a secret off.
    const back = await admin.request('POST', '/api/monitoring/config', {
      body: { alert_for_s: null, grafana_api_key: '' },
    });
    expect(back.json<{ data: unknown }>().data).toMatchObject({
      alert_for_s: 300,
      grafana_api_key: { set: false },
    });
  });

  it('refuses bad values with 400 naming each field, and changes nothing then', async () => {
    const response = await admin.request('POST', '/api/monitoring/config', {
      body: {
        cpu_warning_percent: 99,
        tcp_port: 70_000,
        prometheus_url: 'javascript:alert(1)',
        grafana_dashboard_uid: '../x',
      },
    });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: {
        fields: {
          cpu_warning_percent: 'must not exceed cpu_critical_percent (95)',
          tcp_port: 'must be at most 65535',
          prometheus_url: 'must be an http or https URL',
          grafana_dashboard_uid: 'letters, digits, "_" and "-", at most 40',
        },
      },
    });
    const unknown = await admin.request('POST', '/api/monitoring/config', { body: { nope: 1 } });
    expect(unknown.status).toBe(400);
    expect(unknown.json()).toMatchObject({ details: { fields: { nope: 'unknown field' } } });
    const typed = await admin.request('POST', '/api/monitoring/config', { body: { tcp_port: '22' } });
    expect(typed.json()).toMatchObject({ details: { fields: { tcp_port: 'must be a number' } } });
    expect(await config()).toMatchObject({
      cpu_warning_percent: 80,
      tcp_port: 1,
      grafana_dashboard_uid: 'proxdeck-node-exporter',
    });
  });

  it('a change is effective at once: the health check’s port and threshold, and service discovery’s port', async () => {
    const now = Math.floor(Date.now() / 1000);
    const vmid = 44_100;
    simulator.state.vms.push({
      vmid,
      node: 'pve1',
      createdAt: now - 600,
      config: {
        name: name('web'),
        memory: '2048',
        cores: '2',
        scsi0: `local-lvm:vm-${String(vmid)}-disk-0,size=8G`,
      },
      pending: {},
      pendingDelete: [],
      running: true,
      paused: false,
      startedAt: now - 300,
      pid: 30_000 + vmid,
      firewallRules: [],
      firewallOptions: {},
      guestFiles: {},
    });
    await t.app.get(ServersRepository).insert({
      name: name('web'),
      vmid,
      node: 'pve1',
      status: 'running',
      cpuCores: 2,
      memoryMb: 2048,
      ipAddresses: ['127.0.0.1'],
    });
    const health = async () =>
      (await admin.request('GET', `/api/servers/${name('web')}/health`)).json<{
        data: { checks: { tcp: string }; issues: { type: string; threshold: number | null }[] };
      }>().data;
    const before = await health();
    expect(before.checks.tcp).toBe('failed');
    expect(before.issues.map((i) => i.type)).not.toContain('memory_high');

    await admin.request('POST', '/api/monitoring/config', {
      body: { tcp_port: port, mem_warning_percent: 1, mem_critical_percent: 100, node_exporter_port: 9101 },
    });
    const after = await health();
    expect(after.checks.tcp).toBe('ok');
    expect(after.issues).toContainEqual(expect.objectContaining({ type: 'memory_high', threshold: 1 }));
    const targets = (await admin.request('GET', '/api/monitoring/prometheus-targets')).json<
      { targets: string[]; labels: { name: string } }[]
    >();
    expect(targets.find((g) => g.labels.name === name('web'))?.targets).toEqual(['127.0.0.1:9101']);
  });

  it('builds the Grafana dashboard and embed URLs from the settings, validating the embed’s query', async () => {
    const dashboard = await viewer.request('GET', '/api/grafana-dashboard');
    expect(dashboard.json<{ data: unknown }>().data).toEqual({
      enabled: true,
      base_url: 'https://grafana.example.com',
      dashboard_uid: 'proxdeck-node-exporter',
      dashboard_url: 'https://grafana.example.com/d/proxdeck-node-exporter?orgId=1',
      org_id: 1,
    });
    const embed = await viewer.request(
      'GET',
      `/api/grafana-dashboard/embed?server=${name('web')}&from=now-6h&to=now&theme=dark`,
    );
    expect(embed.status).toBe(200);
    const url = new URL(embed.json<{ data: { embed_url: string } }>().data.embed_url);
    expect(`${url.origin}${url.pathname}`).toBe('https://grafana.example.com/d/proxdeck-node-exporter');
    // Filtered to the server's node_exporter target, with the port in force (9101 since the last test).
    expect(url.searchParams.get('var-instance')).toBe('127.0.0.1:9101');
    expect(url.searchParams.get('from')).toBe('now-6h');
    expect(url.searchParams.get('theme')).toBe('dark');
    expect(url.searchParams.has('kiosk')).toBe(true);
    const all = await viewer.request('GET', '/api/grafana-dashboard/embed');
    expect(
      new URL(all.json<{ data: { embed_url: string } }>().data.embed_url).searchParams.get('var-instance'),
    ).toBe('$__all');

    const bad = await viewer.request('GET', '/api/grafana-dashboard/embed?from=yesterday&theme=pink');
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json<{ details: { fields: object } }>().details.fields).sort()).toEqual([
      'from',
      'theme',
    ]);
    const backwards = await viewer.request(
      'GET',
      '/api/grafana-dashboard/embed?from=1700000001000&to=1700000000000',
    );
    expect(backwards.json()).toMatchObject({ details: { fields: { to: 'must be after from' } } });
    expect((await viewer.request('GET', `/api/grafana-dashboard/embed?server=${name('nope')}`)).status).toBe(
      404,
    );
    await t.app
      .get(ServersRepository)
      .insert({ name: name('noip'), status: 'running', cpuCores: 1, memoryMb: 512 });
    const noIp = await viewer.request('GET', `/api/grafana-dashboard/embed?server=${name('noip')}`);
    expect(noIp.status).toBe(400);
    expect(noIp.json()).toMatchObject({
      details: { fields: { server: expect.stringMatching(/no address/) as unknown } },
    });

    await admin.request('POST', '/api/monitoring/config', { body: { grafana_url: '' } });
    expect(
      (await viewer.request('GET', '/api/grafana-dashboard')).json<{ data: unknown }>().data,
    ).toMatchObject({
      enabled: false,
      dashboard_url: null,
    });
    const off = await viewer.request('GET', '/api/grafana-dashboard/embed');
    expect(off.status).toBe(409);
    expect(off.body).toMatch(/grafana_url/);
  });

  it('gives the monitoring page’s content: header, every server with its health, open alerts, Grafana', async () => {
    const key = `test_${tag}:${name('web')}`;
    await db.query(
      `INSERT INTO alerts (key, type, level, server, message, status, raised_at) VALUES ($1, 'cpu_high', 'warning', $2, 'test', 'active', now())`,
      [key, name('web')],
    );
    try {
      simulator.refreshStats();
      const response = await viewer.request('GET', '/api/monitoring/content');
      expect(response.status).toBe(200);
      const content = response.json<{
        data: {
          summary: {
            total_servers: number;
            active_alerts: number;
            healthy: number;
            warning: number;
            critical: number;
            unknown: number;
          };
          servers: { name: string; status: string; checks: { tcp: string } }[];
          alerts: { key: string; status: string }[];
          grafana: { enabled: boolean };
        };
      }>().data;
      const { summary, servers, alerts } = content;
      expect(servers.length).toBe(summary.total_servers);
      expect(summary.healthy + summary.warning + summary.critical + summary.unknown).toBe(
        summary.total_servers,
      );
      expect(servers.find((s) => s.name === name('web'))).toMatchObject({
        status: 'warning',
        checks: { tcp: 'ok' },
      });
      expect(alerts).toContainEqual(expect.objectContaining({ key, status: 'active' }));
      expect(alerts.every((a) => a.status !== 'resolved')).toBe(true);
      expect(summary.active_alerts).toBeGreaterThanOrEqual(1);
      expect(content.grafana).toMatchObject({ enabled: false });
    } finally {
      await db.query('DELETE FROM alerts WHERE key = $1', [key]);
    }
  });
});
