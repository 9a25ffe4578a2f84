import { randomBytes } from 'node:crypto';
import type { RunningPveSimulator } from '@proxdeck/pve-sim';
import { DataSource } from 'typeorm';
import { EventsService } from '../../src/platform/events/events.service';
import { ServerSync, ServersRepository, type Server } from '../../src/modules/servers';
import { UserFactory } from '../factories';
import { startSimulatorApp } from '../support/simulator-app';
import type { Caller, TestApp } from '../support/test-app';
import { acceptedTaskId, taskFinished } from '../support/tasks';

interface ServerBody {
  name: string;
  vmid: number | null;
  node: string | null;
  status: string;
  origin: string;
  ip_addresses: string[];
  live: { cpu_usage: number; maxmem_bytes: number; lock: string | null } | null;
  last_synced_at: string | null;
}

/**
 * The server inventory and its sync (docs/api.md §3.2) against a simulator of our own: one Proxmox request per
 * cycle whatever the number of VMs, statuses and live figures from it, `missing` for vanished VMs but never
 * for one being created, a `server` event only for servers that changed, unmanaged VMs found and imported.
 */
describe('servers: inventory and sync', () => {
  let simulator: RunningPveSimulator;
  let t: TestApp;
  let admin: Caller;
  let sync: ServerSync;
  let repository: ServersRepository;
  let events: EventsService;
  const suffix = randomBytes(2).toString('hex');
  /** The simulator's own VMs this file imports: the shared database must not keep them for the next file. */
  let imported: string[] = [];

  beforeAll(async () => {
    ({ simulator, t } = await startSimulatorApp(0.05, {
      RUN_WORKERS: 'true',
    }));
    admin = await t.admin();
    sync = t.app.get(ServerSync);
    repository = t.app.get(ServersRepository);
    events = t.app.get(EventsService);
  });
  afterAll(async () => {
    await t.app.get(DataSource).query('DELETE FROM servers WHERE name = ANY($1)', [imported]);
    await t.close();
    await simulator.close();
  });

  const pveRequests = () => Object.values(simulator.requestCounts()).reduce((sum, n) => sum + n, 0);
  const vmOf = (vmid: number) => {
    const vm = simulator.state.vms.find((candidate) => candidate.vmid === vmid);
    if (!vm) throw new Error(`no VM ${String(vmid)} in the simulator`);
    return vm;
  };
  const store = (fields: Partial<Server> & Pick<Server, 'name' | 'status'>) =>
    repository.insert({ cpuCores: 2, memoryMb: 2048, vmid: null, node: null, ...fields });
  const get = async (name: string) =>
    (await admin.request('GET', `/api/servers/${name}`)).json<{ data: ServerBody }>().data;

  it('reads the resource list once per cycle, whether Proxmox holds a few VMs or 2,000', async () => {
    const before = pveRequests();
    const small = await sync.run();
    expect(pveRequests() - before).toBe(1);

    const model = vmOf(101);
    for (let vmid = 5000; vmid < 7000; vmid += 1)
      simulator.state.vms.push({
        ...structuredClone(model),
        vmid,
        config: { ...model.config, name: `bulk-${String(vmid)}` },
      });
    try {
      const beforeLarge = pveRequests();
      const large = await sync.run();
      expect(pveRequests() - beforeLarge).toBe(1);
      expect(large.vms).toBe(small.vms + 2000);
      expect(large.unmanaged.length).toBe(small.unmanaged.length + 2000);
    } finally {
      simulator.state.vms.splice(
        simulator.state.vms.findIndex((vm) => vm.vmid === 5000),
        2000,
      );
    }
  });

  it('gives a server its VM’s status, node and live figures, and announces only servers that changed', async () => {
    const running = await store({ name: `legacy-dns-${suffix}`, status: 'unknown', vmid: 100, node: 'pve3' });
    const stopped = await store({
      name: `legacy-mail-${suffix}`,
      status: 'unknown',
      vmid: 101,
      node: 'pve2',
    });
    const from = await events.lastId();
    await sync.run();

    const dns = await get(running.name);
    expect(dns).toMatchObject({ status: 'running', node: 'pve1', vmid: 100 });
    expect(dns.live?.maxmem_bytes).toBe(4096 * 1024 ** 2);
    expect(dns.last_synced_at).not.toBeNull();
    expect((await get(stopped.name)).status).toBe('stopped');
    const announced = (await events.readAfter(from)).filter((e) => e.event === 'server');
    expect(announced.map((e) => (e.data as { name: string }).name).sort()).toEqual(
      [running.name, stopped.name].sort(),
    );
    expect(announced.every((e) => e.audience.broadcast)).toBe(true);

    // Nothing changed for the stopped one: no event the next time.
    const again = await events.lastId();
    await sync.run();
    const names = (await events.readAfter(again))
      .filter((e) => e.event === 'server')
      .map((e) => (e.data as { name: string }).name);
    expect(names).not.toContain(stopped.name);

    // Its lock is live in Proxmox, and reaches the inventory at the next cycle.
    vmOf(101).config.lock = 'backup';
    try {
      await sync.run();
      expect((await get(stopped.name)).live?.lock).toBe('backup');
    } finally {
      delete vmOf(101).config.lock;
    }
  });

  it('marks a server whose VM is gone missing, but never one being created or a failed one', async () => {
    const vanished = await store({ name: `gone-${suffix}`, status: 'running', vmid: 4901, node: 'pve1' });
    const creating = await store({ name: `new-${suffix}`, status: 'creating', vmid: 4902, node: 'pve1' });
    const failed = await store({ name: `broken-${suffix}`, status: 'failed', vmid: 4903, node: 'pve1' });
    const outcome = await sync.run();
    expect(outcome.missing).toBeGreaterThanOrEqual(1);
    expect((await get(vanished.name)).status).toBe('missing');
    expect((await get(creating.name)).status).toBe('creating');
    expect((await get(failed.name)).status).toBe('failed');
  });

  it('leaves alone a server whose status a job changed while the cycle ran', async () => {
    const server = await store({ name: `raced-${suffix}`, status: 'running', vmid: 4911, node: 'pve1' });
    const written = await repository.applySyncChanges(
      [
        {
          id: server.id,
          name: server.name,
          expectedStatus: 'stopped',
          status: 'missing',
          node: 'pve1',
          live: null,
          cpuCores: 2,
          memoryMb: 2048,
        },
      ],
      new Date(),
    );
    expect(written).toEqual([]);
    expect((await get(server.name)).status).toBe('running');
  });

  it('reports unmanaged VMs, and imports them on request as imported servers', async () => {
    const names = async () =>
      (await t.app.get(DataSource).query<{ name: string }[]>('SELECT name FROM servers')).map(
        (row) => row.name,
      );
    const before = new Set(await names());
    const accepted = await admin.request('POST', '/api/sync_servers', { body: { import_unmanaged: true } });
    const task = await taskFinished<{
      status: string;
      result: { imported: number; unmanaged: { vmid: number }[] } | null;
    }>(admin, acceptedTaskId(accepted), 20_000);
    imported = (await names()).filter((name) => !before.has(name));
    expect(task.status).toBe('completed');
    expect(task.result?.unmanaged.map((vm) => vm.vmid)).toEqual(expect.arrayContaining([102]));
    const jumphost = await get('win-jumphost');
    expect(jumphost).toMatchObject({ origin: 'imported', vmid: 102, node: 'pve3', status: 'running' });
    expect(
      (await admin.request('POST', '/api/sync_servers', { body: { import_unmanaged: 'yes' } })).json(),
    ).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: { import_unmanaged: expect.any(String) as unknown } },
    });
  });

  it('lists servers with filters, search by name or IP, sorting and paging; bad queries name the field', async () => {
    await store({
      name: `web-a-${suffix}`,
      status: 'stopped',
      node: 'pve2',
      role: 'web',
      ipAddresses: ['10.77.0.11'],
    });
    await store({
      name: `web-b-${suffix}`,
      status: 'stopped',
      node: 'pve2',
      role: 'web',
      ipAddresses: ['10.77.0.12'],
    });
    await store({
      name: `db-a-${suffix}`,
      status: 'stopped',
      node: 'pve3',
      role: 'db',
      ipAddresses: ['10.77.1.5'],
    });
    const names = async (query: string) =>
      (await admin.request('GET', `/api/servers?${query}`))
        .json<{ data: ServerBody[] }>()
        .data.map((s) => s.name);
    expect(await names(`q=-a-${suffix}&sort=-name`)).toEqual([`web-a-${suffix}`, `db-a-${suffix}`]);
    expect(await names('q=10.77.0.')).toEqual([`web-a-${suffix}`, `web-b-${suffix}`]);
    expect(await names(`role=web&q=${suffix}`)).toEqual([`web-a-${suffix}`, `web-b-${suffix}`]);
    expect(await names(`node=pve3&role=db&q=${suffix}`)).toEqual([`db-a-${suffix}`]);
    const page = (await admin.request('GET', `/api/servers?q=${suffix}&role=web&per_page=1&page=2`)).json<{
      data: ServerBody[];
      pagination: { total: number };
    }>();
    expect(page.data.map((s) => s.name)).toEqual([`web-b-${suffix}`]);
    expect(page.pagination).toEqual({ page: 2, per_page: 1, total: 2, pages: 2 });
    // The list is written by Postgres: the same JSON as the one server, which ServerDto writes.
    const listed = (await admin.request('GET', `/api/servers?q=legacy-dns-${suffix}`)).json<{
      data: unknown[];
    }>().data[0];
    expect(listed).toEqual(await get(`legacy-dns-${suffix}`));
    expect((await admin.request('GET', '/api/servers?q=nothing-like-this')).json()).toEqual({
      success: true,
      data: [],
      pagination: { page: 1, per_page: 20, total: 0, pages: 1 },
    });
    for (const [query, field] of [
      ['status=sleeping', 'status'],
      ['sort=password', 'sort'],
      ['per_page=0', 'per_page'],
      ['node=a%20b', 'node'],
      ['firewall_group=1bad', 'firewall_group'],
      ['unknown=1', 'unknown'],
    ] as const) {
      const response = await admin.request('GET', `/api/servers?${query}`);
      expect(`${query} → ${String(response.status)}`).toBe(`${query} → 400`);
      expect(response.json<{ details: { fields: Record<string, string> } }>().details.fields).toHaveProperty(
        field,
      );
    }
  });

  it('serves a page of the list again until the inventory changes, then reads it afresh', async () => {
    const server = await store({ name: `cached-${suffix}`, status: 'stopped', node: 'pve1' });
    const statusListed = async () =>
      (await admin.request('GET', `/api/servers?q=cached-${suffix}`)).json<{ data: ServerBody[] }>().data[0]
        ?.status;
    expect(await statusListed()).toBe('stopped');
    // Changed behind Proxdeck's back: the page read before is served again.
    await t.app.get(DataSource).query(`UPDATE servers SET status = 'paused' WHERE id = $1`, [server.id]);
    expect(await statusListed()).toBe('stopped');
    // Changed through the inventory: every process reads it afresh.
    await repository.setStatus(server.name, 'running');
    expect(await statusListed()).toBe('running');
  });

  it('gives the cluster at a glance, a brief list, and a VM’s live status from Proxmox', async () => {
    await sync.run();
    const all = (await admin.request('GET', '/api/all_server_status')).json<{
      data: {
        servers: Record<string, ServerBody>;
        stats: {
          total: number;
          nodes: { node: string; maxcpu: number }[];
          memory_allocation_percent: number;
        };
      };
    }>().data;
    expect(all.stats.nodes.map((n) => n.node)).toEqual(['pve1', 'pve2', 'pve3']);
    expect(all.stats.total).toBe(Object.keys(all.servers).length);
    expect(all.stats.memory_allocation_percent).toBeGreaterThan(0);
    const brief = (await admin.request('GET', '/api/servers/brief')).json<{ data: { name: string }[] }>()
      .data;
    expect(brief.map((s) => s.name)).toContain(`legacy-dns-${suffix}`);

    const live = (await admin.request('GET', `/api/server_status/legacy-dns-${suffix}`)).json<{
      data: { vmid: number; status: string; agent: boolean };
    }>().data;
    expect(live).toMatchObject({ vmid: 100, status: 'running', agent: true });
    expect((await admin.request('GET', '/api/server_status/no-such-server')).status).toBe(404);
    expect((await admin.request('GET', '/api/server_status/Not_A_Name')).status).toBe(404);
    await store({ name: `unplaced-${suffix}`, status: 'creating' });
    expect((await admin.request('GET', `/api/server_status/unplaced-${suffix}`)).status).toBe(409);
  });

  it('lets a viewer read the inventory but not sync it', async () => {
    const viewer = await UserFactory.create(t.app, { role: 'viewer' });
    const session = await t.login(viewer.username, viewer.password);
    expect((await session.request('GET', '/api/servers')).status).toBe(200);
    expect((await session.request('POST', '/api/sync_servers', { body: {} })).status).toBe(403);
  });
});
