import { randomBytes } from 'node:crypto';
import type { RunningPveSimulator, SimVm } from '@proxdeck/pve-sim';
import { ProxmoxConnection } from '../../src/platform/proxmox/proxmox-connection';
import { AlertsService } from '../../src/modules/monitoring';
import { ServerHistory, ServersRepository, type Server } from '../../src/modules/servers';
import { DataSource } from 'typeorm';
import { startSimulatorApp } from '../support/simulator-app';
import type { Caller, TestApp } from '../support/test-app';

interface AlertBody {
  id: number;
  key: string;
  type: string;
  level: string;
  server: string | null;
  status: string;
  acknowledged_by: string | null;
  resolved_at: string | null;
}

/**
 * The alert checker (docs/api.md §10) against a simulator of our own, its cycles run directly with injected
 * time: server down raised once and resolved, one alert for an unreachable Proxmox, acknowledge and clear, a
 * constant number of Proxmox requests per cycle, thresholds with a duration, and the notifications.
 */
describe('alerts: the checker, list, acknowledge, clear', () => {
  let simulator: RunningPveSimulator;
  let t: TestApp;
  let admin: Caller;
  let repository: ServersRepository;
  let checker: AlertsService;
  const tag = randomBytes(2).toString('hex');
  const name = (suffix: string) => `al-${tag}-${suffix}`;
  let nextVmid = 43_000;
  const start = Date.now();

  beforeAll(async () => {
    ({ simulator, t } = await startSimulatorApp(0.05, {
      RUN_WORKERS: 'false',
      ALERT_FOR_S: '300',
      // Every running VM of the simulator uses at least 2 % CPU: over the warning threshold, never critical.
      HEALTH_CPU_WARNING_PERCENT: '1',
      HEALTH_CPU_CRITICAL_PERCENT: '100',
    }));
    admin = await t.admin();
    repository = t.app.get(ServersRepository);
    checker = t.app.get(AlertsService);
  });
  afterAll(async () => {
    // The integration database is shared by every file: leave no alert, broadcast or server behind.
    const dataSource = t.app.get(DataSource);
    await dataSource.query(`DELETE FROM alerts`);
    await dataSource.query(`DELETE FROM notifications WHERE type IN ('alert.raised', 'alert.resolved')`);
    await dataSource.query(`DELETE FROM servers WHERE name LIKE $1`, [`al-${tag}-%`]);
    await t.close();
    await simulator.close();
  });

  async function serverWithVm(suffix: string, running = true): Promise<{ server: Server; vm: SimVm }> {
    const vmid = nextVmid++;
    const now = Math.floor(Date.now() / 1000);
    const vm: SimVm = {
      vmid,
      node: 'pve1',
      createdAt: now - 7200,
      config: {
        name: name(suffix),
        memory: '2048',
        cores: '2',
        scsi0: `local-lvm:vm-${String(vmid)}-disk-0,size=8G`,
        net0: 'virtio=BC:24:11:00:00:01,bridge=vmbr0',
      },
      pending: {},
      pendingDelete: [],
      running,
      paused: false,
      ...(running ? { startedAt: now - 3600, pid: 30_000 + vmid } : {}),
      firewallRules: [],
      firewallOptions: {},
      guestFiles: {},
    };
    simulator.state.vms.push(vm);
    simulator.refreshStats();
    const server = await repository.insert({
      name: name(suffix),
      vmid,
      node: 'pve1',
      status: 'running',
      cpuCores: 2,
      memoryMb: 2048,
      ipAddresses: [],
    });
    return { server, vm };
  }

  const alerts = async (status?: string): Promise<AlertBody[]> => {
    const response = await admin.request(
      'GET',
      `/api/alerts?per_page=200${status ? `&status=${status}` : ''}`,
    );
    expect(response.status).toBe(200);
    return response.json<{ data: AlertBody[] }>().data;
  };
  const notifications = async (type: string): Promise<{ server: string | null; title: string }[]> => {
    const response = await admin.request('GET', `/api/notifications?per_page=200&type=${type}`);
    expect(response.status).toBe(200);
    return response.json<{ data: { server: string | null; title: string }[] }>().data;
  };
  const pveRequests = () => Object.values(simulator.requestCounts()).reduce((sum, n) => sum + n, 0);

  it('a server stopped behind Proxdeck’s back raises server_down once, with a notification, resolved once it runs again', async () => {
    const { vm } = await serverWithVm('down');
    await serverWithVm('up');
    await checker.check(start);
    expect(
      (await alerts()).filter((a) => a.type === 'server_down' && a.server?.startsWith(`al-${tag}-`)),
    ).toEqual([]);

    vm.running = false;
    delete vm.startedAt;
    simulator.refreshStats();
    const first = await checker.check(start + 30_000);
    expect(first).toMatchObject({ reachable: true, raised: 1 });
    await checker.check(start + 60_000);
    const down = (await alerts('active')).filter((a) => a.key === `server_down:${name('down')}`);
    expect(down).toEqual([
      expect.objectContaining({
        type: 'server_down',
        level: 'critical',
        server: name('down'),
        status: 'active',
      }),
    ]);
    expect((await notifications('alert.raised')).filter((n) => n.server === name('down'))).toHaveLength(1);

    // The sync takes Proxmox's status into the inventory: the alert stays while the VM is stopped.
    await repository.setStatus(name('down'), 'stopped');
    expect(await checker.check(start + 90_000)).toMatchObject({ raised: 0, resolved: 0 });

    vm.running = true;
    vm.startedAt = Math.floor(Date.now() / 1000);
    simulator.refreshStats();
    expect(await checker.check(start + 120_000)).toMatchObject({ resolved: 1 });
    const after = (await alerts()).find((a) => a.id === down[0]?.id);
    expect(after?.status).toBe('resolved');
    expect(typeof after?.resolved_at).toBe('string');
    expect((await notifications('alert.resolved')).filter((n) => n.server === name('down'))).toHaveLength(1);
  });

  it('server_down also when the sync saw the stop first; nothing for a stop made through Proxdeck', async () => {
    const behind = await serverWithVm('behind');
    const ours = await serverWithVm('ours');
    await checker.check(start);
    for (const { vm } of [behind, ours]) {
      vm.running = false;
      delete vm.startedAt;
    }
    simulator.refreshStats();
    // The sync ran before the checker: the inventory says stopped for both.
    await repository.setStatus(name('behind'), 'stopped');
    await repository.setStatus(name('ours'), 'stopped');
    // Only one was stopped through Proxdeck (its stop completed and is in the server's history).
    await t.app
      .get(ServerHistory)
      .record([name('ours')], { action: 'stop', outcome: 'completed', actor: null, detail: 'shut down' });
    await checker.check(start + 30_000);
    const keys = (await alerts('active')).map((alert) => alert.key);
    expect(keys).toContain(`server_down:${name('behind')}`);
    expect(keys).not.toContain(`server_down:${name('ours')}`);
  });

  it('an unreachable Proxmox raises one cluster alert and nothing per server; resolved when it answers', async () => {
    await serverWithVm('u1', true);
    const before = (await alerts('active')).length;
    simulator.setFaults({ serverErrorRate: 1, serverErrorStatus: 503 });
    try {
      const outcome = await checker.check(start + 150_000);
      expect(outcome).toMatchObject({ reachable: false, raised: 1, resolved: 0 });
      expect(await checker.check(start + 160_000)).toMatchObject({ raised: 0 });
    } finally {
      simulator.setFaults({});
    }
    const active = await alerts('active');
    expect(active.length).toBe(before + 1);
    expect(active.filter((a) => a.type === 'pve_unreachable')).toEqual([
      expect.objectContaining({ key: 'pve_unreachable', server: null, level: 'critical' }),
    ]);
    expect(await checker.check(start + 170_000)).toMatchObject({ reachable: true, resolved: 1 });
    expect((await alerts('active')).filter((a) => a.type === 'pve_unreachable')).toEqual([]);
  });

  it('a cycle costs one Proxmox request, whatever the number of servers', async () => {
    const cost = async () => {
      const before = pveRequests();
      await checker.check(start + 175_000);
      return pveRequests() - before;
    };
    const few = await cost();
    for (let i = 0; i < 6; i++) await serverWithVm(`many-${String(i)}`);
    expect(few).toBe(1);
    expect(await cost()).toBe(few);
  });

  it('a threshold raises only after ALERT_FOR_S, once; acknowledge and clear', async () => {
    // Every running server has been over the CPU warning threshold since the cycles above (pending).
    expect((await alerts('active')).filter((a) => a.type === 'cpu_high')).toEqual([]);
    await checker.check(start + 180_000);
    expect((await alerts('active')).filter((a) => a.type === 'cpu_high')).toEqual([]);
    await checker.check(start + 480_000);
    const high = (await alerts('active')).filter((a) => a.key === `cpu_high:${name('up')}`);
    expect(high).toEqual([expect.objectContaining({ level: 'warning', server: name('up') })]);
    await checker.check(start + 510_000);
    expect((await alerts()).filter((a) => a.key === `cpu_high:${name('up')}`)).toHaveLength(1);

    const id = high[0]?.id ?? 0;
    const user = await t.createUser('viewer');
    const viewer = await t.login(user.username, user.password);
    expect((await viewer.request('POST', `/api/alerts/${String(id)}/acknowledge`)).status).toBe(403);
    const ack = await admin.request('POST', `/api/alerts/${String(id)}/acknowledge`);
    expect(ack.status).toBe(200);
    expect(ack.json<{ data: AlertBody }>().data).toMatchObject({
      id,
      status: 'acknowledged',
      acknowledged_by: admin.username,
    });
    // Acknowledged: still open, so not raised again.
    await checker.check(start + 540_000);
    expect((await alerts()).filter((a) => a.key === `cpu_high:${name('up')}`)).toHaveLength(1);
    expect((await admin.request('POST', '/api/alerts/999999/acknowledge')).status).toBe(404);

    const summary = await admin.request('GET', '/api/monitoring/summary');
    expect(summary.json<{ data: { active_alerts: number } }>().data.active_alerts).toBe(
      (await alerts('active')).length,
    );

    // Clearing by id removes acknowledged ones only; without ids every acknowledged and resolved one.
    const activeId = (await alerts('active'))[0]?.id ?? 0;
    const some = await admin.request('POST', '/api/alerts/clear', { body: { ids: [id, activeId] } });
    expect(some.status).toBe(200);
    expect(some.json<{ data: { ids: number[] } }>().data.ids).toEqual([id]);
    const all = await admin.request('POST', '/api/alerts/clear', { body: {} });
    expect(all.status).toBe(200);
    expect([...(await alerts('acknowledged')), ...(await alerts('resolved'))]).toEqual([]);
    expect((await alerts('active')).length).toBeGreaterThan(0);
  });

  it('records nothing when its own process is shutting down (its Proxmox client closed)', async () => {
    // Last in the file: the process's Proxmox client stays closed (as when the app stops during a cycle).
    const before = await alerts('active');
    await t.app.get(ProxmoxConnection).onApplicationShutdown();
    await expect(checker.check(start + 900_000)).rejects.toThrow('shutting down');
    expect((await alerts('active')).map((alert) => alert.id)).toEqual(before.map((alert) => alert.id));
  });
});
