import { randomBytes } from 'node:crypto';
import { createServer, type Server as NetServer } from 'node:net';
import type { RunningPveSimulator, SimVm } from '@proxdeck/pve-sim';
import { TcpProbeService } from '../../src/modules/monitoring/tcp-probe.service';
import { ServersRepository, type Server } from '../../src/modules/servers';
import { RedisService } from '../../src/platform/redis/redis.service';
import { startSimulatorApp } from '../support/simulator-app';
import type { Caller, TestApp } from '../support/test-app';

interface HealthBody {
  server_ip: string | null;
  name: string;
  status: string;
  checks: { pve: string; tcp: string; agent: string };
  metrics: Record<string, number | null>;
  issues: { type: string; level: string; message: string; value: unknown; threshold: number | null }[];
  uptime_s: number | null;
  checked_at: string;
}

/** Listens on `host:port` (port 0: any), accepting and closing connections. */
async function listen(host: string, port: number): Promise<NetServer> {
  const server = createServer((socket) => socket.end());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  return server;
}

/**
 * Server health and metrics (docs/api.md §10) against a simulator of our own: Proxmox status, the guest agent,
 * RRD data and a real TCP connect (to a port the test listens on, at 127.0.0.1 and 127.0.0.2; 127.0.0.3 refuses),
 * the summary's constant number of Proxmox requests, and Prometheus service discovery.
 */
describe('monitoring: health, metrics, summary, Prometheus targets', () => {
  let simulator: RunningPveSimulator;
  let t: TestApp;
  let admin: Caller;
  let repository: ServersRepository;
  const listeners: NetServer[] = [];
  const tag = randomBytes(2).toString('hex');
  const name = (suffix: string) => `mon-${tag}-${suffix}`;
  let nextVmid = 41_000;

  beforeAll(async () => {
    const first = await listen('127.0.0.1', 0);
    const port = (first.address() as { port: number }).port;
    listeners.push(first, await listen('127.0.0.2', port));
    ({ simulator, t } = await startSimulatorApp(0.05, {
      RUN_WORKERS: 'false',
      HEALTH_TCP_PORT: String(port),
      HEALTH_TCP_TIMEOUT_MS: '500',
      NODE_EXPORTER_PORT: '9100',
    }));
    admin = await t.admin();
    repository = t.app.get(ServersRepository);
  });
  afterAll(async () => {
    await t.close();
    await simulator.close();
    for (const listener of listeners) await new Promise((resolve) => listener.close(resolve));
  });

  /** A VM in the simulator (running, with an agent that answers, unless told) and a server row for it. */
  async function serverWithVm(
    suffix: string,
    ip: string | null,
    vm: Partial<SimVm> = {},
    fields: Partial<Server> = {},
  ): Promise<{ server: Server; vm: SimVm }> {
    const vmid = nextVmid++;
    const now = Math.floor(Date.now() / 1000);
    const simVm: SimVm = {
      vmid,
      node: 'pve1',
      createdAt: now - 7200,
      config: {
        name: name(suffix),
        memory: '2048',
        cores: '2',
        agent: '1',
        scsi0: `local-lvm:vm-${String(vmid)}-disk-0,size=8G`,
        net0: 'virtio=BC:24:11:00:00:01,bridge=vmbr0',
      },
      pending: {},
      pendingDelete: [],
      running: true,
      paused: false,
      startedAt: now - 3600,
      pid: 30_000 + vmid,
      agentReadyAt: Date.now() - 1000,
      firewallRules: [],
      firewallOptions: {},
      guestFiles: {},
      ...vm,
    };
    simulator.state.vms.push(simVm);
    const server = await repository.insert({
      name: name(suffix),
      vmid,
      node: 'pve1',
      status: simVm.running ? 'running' : 'stopped',
      cpuCores: 2,
      memoryMb: 2048,
      ipAddresses: ip === null ? [] : [ip],
      role: 'web',
      firewallGroup: 'web-fw',
      ...fields,
    });
    return { server, vm: simVm };
  }
  const health = async (key: string) => {
    const response = await admin.request('GET', `/api/servers/${key}/health`);
    expect(response.status).toBe(200);
    return response.json<{ data: HealthBody }>().data;
  };
  const pveRequests = () => Object.values(simulator.requestCounts()).reduce((sum, n) => sum + n, 0);

  it('a running server whose port answers and agent answers is healthy, by address or by name, from real figures', async () => {
    await serverWithVm('ok', '127.0.0.1');
    const byIp = await health('127.0.0.1');
    expect(byIp).toMatchObject({
      server_ip: '127.0.0.1',
      name: name('ok'),
      status: 'healthy',
      checks: { pve: 'running', tcp: 'ok', agent: 'ok' },
      issues: [],
    });
    expect(byIp.uptime_s).toBeGreaterThan(3000);
    expect(byIp.metrics.cpu_percent).toEqual(expect.any(Number));
    expect(byIp.metrics.mem_percent).toBeGreaterThan(0);
    expect(byIp.metrics.netin_bps).toBeGreaterThan(0);
    expect(byIp.metrics.netout_bps).toBeGreaterThan(0);
    // Disk figures from the guest agent (get-fsinfo): Proxmox reports none for a qemu VM.
    expect(byIp.metrics.disk_percent).toBeGreaterThanOrEqual(20);
    expect(byIp.metrics.disk_percent).toBeLessThanOrEqual(50);
    const byName = await health(name('ok'));
    expect(byName).toMatchObject({ name: name('ok'), status: 'healthy' });
    expect((await admin.request('GET', '/api/servers/10.99.99.99/health')).status).toBe(404);
    expect((await admin.request('GET', `/api/servers/${name('nope')}/health`)).status).toBe(404);
  });

  it('takes the SSH port check from the worker’s probe while it is fresh, and connects itself otherwise', async () => {
    const probe = await t.app.get(TcpProbeService).probe();
    expect(probe.probed).toBeGreaterThanOrEqual(1);
    const redis = t.app.get(RedisService);
    const key = redis.key('monitoring', 'tcp');
    const stored = JSON.parse((await redis.client.hget(key, name('ok'))) ?? '{}') as Record<string, unknown>;
    expect(stored).toMatchObject({
      ok: true,
      target: expect.stringMatching(/^127\.0\.0\.1:\d+$/) as unknown,
    });

    try {
      // What the worker saw wins over what the API process would see: it is the worker that reaches the servers.
      const target = String(stored.target);
      await redis.client.hset(
        key,
        name('ok'),
        JSON.stringify({ ok: false, error: 'EHOSTUNREACH (from the worker)', target, at: Date.now() }),
      );
      const seen = await health(name('ok'));
      expect(seen.checks.tcp).toBe('failed');
      expect(seen.issues[0]?.message).toBe(`No TCP connection to ${target}: EHOSTUNREACH (from the worker)`);
      // The summary reads Proxmox's status cache: as pvestatd would have broadcast the VM by now.
      simulator.refreshStats();
      const summary = (await admin.request('GET', '/api/servers/health-summary')).json<{
        data: { problematic: HealthBody[] };
      }>().data;
      expect(summary.problematic.find((h) => h.name === name('ok'))?.checks.tcp).toBe('failed');

      // Stale (or for another port): the API process connects itself.
      await redis.client.hset(
        key,
        name('ok'),
        JSON.stringify({ ok: false, error: 'old', target, at: Date.now() - 10 * 60_000 }),
      );
      expect((await health(name('ok'))).checks.tcp).toBe('ok');
    } finally {
      await redis.client.hdel(key, name('ok'));
    }
  });

  it('a stopped server is critical (server_down); its checks are skipped', async () => {
    await serverWithVm('down', '127.0.0.2', { running: false, startedAt: undefined, pid: undefined });
    const result = await health(name('down'));
    expect(result).toMatchObject({
      status: 'critical',
      checks: { pve: 'stopped', tcp: 'skipped', agent: 'skipped' },
      issues: [expect.objectContaining({ type: 'server_down', level: 'critical' })],
    });
  });

  it('a server whose agent does not answer is a warning (agent_down), and one whose port refuses too (tcp_unreachable)', async () => {
    await serverWithVm('noagent', '127.0.0.3', { agentReadyAt: Date.now() + 3_600_000 });
    const result = await health(name('noagent'));
    expect(result.status).toBe('warning');
    expect(result.checks).toEqual({ pve: 'running', tcp: 'failed', agent: 'down' });
    expect(result.issues.map((issue) => issue.type).sort()).toEqual(['agent_down', 'tcp_unreachable']);
    expect(result.issues.find((issue) => issue.type === 'tcp_unreachable')?.message).toMatch(
      /127\.0\.0\.3:\d+: ECONNREFUSED/,
    );
  });

  it('a guest whose filesystem is full is critical (disk_high), the figure and mountpoint from its agent', async () => {
    const { vm } = await serverWithVm('full', null, { guestRootUsed: 0.97 });
    const result = await health(name('full'));
    expect(result.status).toBe('critical');
    expect(result.metrics.disk_percent).toBe(97);
    expect(result.issues).toContainEqual({
      type: 'disk_high',
      level: 'critical',
      message: 'Disk (/) use is 97 %, at or above the critical threshold of 95 %',
      value: 97,
      threshold: 95,
    });
    // An agent that does not answer gives no disk figure.
    vm.agentReadyAt = Date.now() + 3_600_000;
    const silent = await health(name('full'));
    expect(silent.metrics.disk_percent).toBeNull();
    expect(silent.issues.map((issue) => issue.type)).toEqual(['agent_down']);
    vm.guestRootUsed = 0.3;
  });

  it('a server whose VM is gone is unknown (vm_missing); one without a VM yet is unknown (no_vm)', async () => {
    const { vm } = await serverWithVm('gone', null);
    simulator.state.vms.splice(simulator.state.vms.indexOf(vm), 1);
    expect(await health(name('gone'))).toMatchObject({
      status: 'unknown',
      checks: { pve: 'missing' },
      issues: [expect.objectContaining({ type: 'vm_missing', level: 'unknown' })],
    });
    await repository.insert({
      name: name('novm'),
      status: 'creating',
      cpuCores: 1,
      memoryMb: 512,
      vmid: null,
    });
    expect(await health(name('novm'))).toMatchObject({
      status: 'unknown',
      issues: [expect.objectContaining({ type: 'no_vm' })],
    });
  });

  it('gives RRD series per timeframe, and a 400 naming timeframe for a bad one', async () => {
    const response = await admin.request('GET', `/api/servers/127.0.0.1/metrics?timeframe=day`);
    expect(response.status).toBe(200);
    const { series } = response.json<{ data: { series: Record<string, [number, number][]> } }>().data;
    expect(Object.keys(series).sort()).toEqual(
      ['cpu', 'disk', 'diskread', 'diskwrite', 'mem', 'netin', 'netout'].sort(),
    );
    expect(series.cpu?.length).toBeGreaterThan(60);
    const [t0, v0] = series.netin?.at(-1) ?? [];
    expect(t0).toBeGreaterThan(Date.now() / 1000 - 3600);
    expect(v0).toBeGreaterThan(0);
    for (const [, v] of series.cpu ?? []) expect(v).toBeLessThanOrEqual(100);
    const hour = await admin.request('GET', `/api/servers/${name('ok')}/metrics`);
    expect(hour.json<{ data: { series: { cpu: unknown[] } } }>().data.series.cpu.length).toBeLessThanOrEqual(
      60,
    );
    const bad = await admin.request('GET', `/api/servers/127.0.0.1/metrics?timeframe=year`);
    expect(bad.status).toBe(400);
    expect(bad.body).toMatch(/timeframe/);
  });

  it('the health summary is not taken for a server name, and reads Proxmox a constant number of times', async () => {
    simulator.refreshStats();
    const before = pveRequests();
    const first = await admin.request('GET', '/api/servers/health-summary');
    expect(first.status).toBe(200);
    const summary = first.json<{
      data: {
        total: number;
        healthy: number;
        critical: number;
        unknown: number;
        warning: number;
        problematic: HealthBody[];
      };
    }>().data;
    const requestsForFew = pveRequests() - before;
    // Served by the monitoring controller, not taken for a server named `health-summary` by GET /api/servers/:name.
    expect(Object.keys(summary).sort()).toEqual([
      'critical',
      'healthy',
      'problematic',
      'total',
      'unknown',
      'warning',
    ]);
    expect(requestsForFew).toBe(1);
    expect(summary.total).toBe(summary.healthy + summary.warning + summary.critical + summary.unknown);
    const problems = Object.fromEntries(summary.problematic.map((h) => [h.name, h]));
    expect(problems[name('down')]).toMatchObject({ status: 'critical', issues: [{ type: 'server_down' }] });
    expect(problems[name('gone')]).toMatchObject({ status: 'unknown', issues: [{ type: 'vm_missing' }] });
    expect(problems[name('noagent')]).toMatchObject({
      status: 'warning',
      checks: { tcp: 'failed', agent: 'not_checked' },
    });
    expect(problems[name('ok')]).toBeUndefined();

    for (let i = 0; i < 20; i++) await serverWithVm(`many${String(i)}`, null);
    simulator.refreshStats();
    const again = pveRequests();
    const second = await admin.request('GET', '/api/servers/health-summary');
    expect(second.json<{ data: { total: number } }>().data.total).toBe(summary.total + 20);
    expect(pveRequests() - again).toBe(requestsForFew);

    const monitoring = await admin.request('GET', '/api/monitoring/summary');
    const active = (await admin.request('GET', '/api/alerts?status=active&per_page=1')).json<{
      pagination: { total: number };
    }>().pagination.total;
    expect(monitoring.json<{ data: unknown }>().data).toMatchObject({
      total_servers: summary.total + 20,
      critical: summary.critical,
      active_alerts: active,
      last_update: expect.any(String) as unknown,
    });
  });

  it('lists running servers with an address for Prometheus, not enveloped, to an API token with view_all', async () => {
    const created = await admin.request('POST', '/api/tokens', {
      body: { name: 'prometheus', permissions: ['view_all'] },
    });
    const secret = created.json<{ data: { secret: string } }>().data.secret;
    const response = await t.request('GET', '/api/monitoring/prometheus-targets', {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const groups = response.json<{ targets: string[]; labels: Record<string, string> }[]>();
    expect(Array.isArray(groups)).toBe(true);
    const mine = groups.filter((group) => group.labels.name?.startsWith(`mon-${tag}-`));
    expect(mine).toContainEqual({
      targets: ['127.0.0.1:9100'],
      labels: { name: name('ok'), node: 'pve1', role: 'web', firewall_group: 'web-fw' },
    });
    // Stopped servers and servers without an address are left out.
    expect(mine.map((group) => group.labels.name).sort()).toEqual([name('noagent'), name('ok')].sort());
    expect((await t.request('GET', '/api/monitoring/prometheus-targets')).status).toBe(401);
  });
});
