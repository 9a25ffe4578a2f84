import { randomBytes } from 'node:crypto';
import type { RunningPveSimulator } from '@proxdeck/pve-sim';
import { waitFor } from '@proxdeck/testing';
import { DataSource } from 'typeorm';
import { seedSimulatorIpPool } from '../../src/modules/ip-pools';
import { ServersRepository } from '../../src/modules/servers';
import { startSimulatorApp } from '../support/simulator-app';
import { acceptedTaskId, taskFinished } from '../support/tasks';
import type { Caller, TestApp } from '../support/test-app';

interface TaskBody {
  status: string;
  items: { name: string; status: string; step: string | null; error: string | null; pve_upids: string[] }[];
  result: Record<string, unknown> | null;
  error: string | null;
}

/**
 * Creating servers (docs/api.md §3.3) against a simulator of our own: everything checked before anything is
 * queued, then the pipeline per server (VMID and IPs reserved, full clone, cloud-init, disks, start, guest
 * agent), concurrent requests never sharing an IP or a VMID, Proxmox failures kept with their text.
 */
describe('servers: creation', () => {
  let simulator: RunningPveSimulator;
  let t: TestApp;
  let admin: Caller;
  const tag = randomBytes(2).toString('hex');

  beforeAll(async () => {
    ({ simulator, t } = await startSimulatorApp(0.02, {
      RUN_WORKERS: 'true',
      WORKER_CONCURRENCY: '4',
      PVE_TASK_POLL_MS: '100',
      PVE_LOCK_RETRY_DELAY_MS: '100',
      TASK_CONCURRENCY_PER_STORAGE: '8',
      SERVER_CREATE_CONCURRENCY: '10',
      SERVER_READY_TIMEOUT_S: '60',
    }));
    await seedSimulatorIpPool(t.app.get(DataSource));
    admin = await t.admin();
  });
  afterAll(async () => {
    await t.close();
    await simulator.close();
  });

  const finished = (taskId: string, timeoutMs?: number) => taskFinished<TaskBody>(admin, taskId, timeoutMs);
  const accepted = acceptedTaskId;
  const vmNamed = (name: string) => simulator.state.vms.find((vm) => vm.config.name === name);

  it('creates 20 servers in bulk with 20 distinct pool addresses, running, reported by the guest agent', async () => {
    const taskId = accepted(
      await admin.request('POST', '/api/create_servers_bulk', {
        body: {
          base_name: `bulk-${tag}`,
          count: 20,
          cpu: 1,
          memory: 1024,
          ssh_keys: ['ssh-ed25519 AAAAC3Nza test@proxdeck'],
        },
      }),
    );
    const task = await finished(taskId, 120_000);
    expect(task.items.filter((item) => item.status !== 'completed')).toEqual([]);
    expect(task.status).toBe('completed');
    expect(task.items).toHaveLength(20);

    const addresses = new Set<string>();
    const vmids = new Set<number>();
    for (let index = 1; index <= 20; index += 1) {
      const name = `bulk-${tag}-${String(index).padStart(2, '0')}`;
      const vm = vmNamed(name);
      expect(vm?.running).toBe(true);
      const ip = /^ip=(10\.10\.0\.\d+)\/24,gw=10\.10\.0\.1$/.exec(vm?.config.ipconfig0 ?? '')?.[1];
      expect(ip).toBeDefined();
      addresses.add(ip ?? '');
      vmids.add(vm?.vmid ?? 0);
      expect(vm?.config.tags?.split(';')).toContain('proxdeck');
      const server = (await admin.request('GET', `/api/servers/${name}`)).json<{
        data: { status: string; vmid: number; ip_addresses: string[] };
      }>().data;
      expect(server).toMatchObject({ status: 'running', vmid: vm?.vmid, ip_addresses: [ip] });
    }
    expect(addresses.size).toBe(20);
    expect(vmids.size).toBe(20);
  }, 120_000);

  it('previews a bulk creation: names, nodes and the addresses auto would give, which the creation then gets', async () => {
    const body = { base_name: `pre-${tag}`, count: 3, cpu: 1, memory: 1024, vm_password: 'a-long-password' };
    const preview = await admin.request('POST', '/api/servers/preview', { body });
    expect(preview.status).toBe(200);
    const planned = preview.json<{
      data: {
        servers: { name: string; node: string; networks: { ip_address: string | null; auto: boolean }[] }[];
      };
    }>().data.servers;
    expect(planned.map((server) => server.name)).toEqual([`pre-${tag}-01`, `pre-${tag}-02`, `pre-${tag}-03`]);
    const predicted = planned.map((server) => server.networks[0]?.ip_address);
    expect(new Set(predicted).size).toBe(3);
    expect(planned.every((server) => server.networks[0]?.auto === true)).toBe(true);
    // Nothing was created or held.
    expect(vmNamed(`pre-${tag}-01`)).toBeUndefined();
    expect((await admin.request('GET', `/api/servers/pre-${tag}-01`)).status).toBe(404);
    // The same checks as a creation.
    const refused = await admin.request('POST', '/api/servers/preview', { body: { ...body, cpu: 0 } });
    expect(refused.json()).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: { fields: { cpu: expect.any(String) as unknown } },
    });

    await finished(accepted(await admin.request('POST', '/api/create_servers_bulk', { body })));
    // The batch gets the addresses shown; which server gets which follows the order they are created in, in
    // parallel (and the node may differ: the one with most free memory at creation time).
    const created = await Promise.all(
      planned.map(
        async (server) =>
          (await admin.request('GET', `/api/servers/${server.name}`)).json<{
            data: { ip_addresses: string[] };
          }>().data.ip_addresses,
      ),
    );
    expect(created.flat().sort()).toEqual([...predicted].sort());
  }, 90_000);

  it('gives two concurrent bulk requests different addresses and VMIDs', async () => {
    const [first, second] = await Promise.all(
      ['a', 'b'].map(async (side) =>
        accepted(
          await admin.request('POST', '/api/create_servers_bulk', {
            body: {
              base_name: `pair-${side}-${tag}`,
              count: 4,
              cpu: 1,
              memory: 1024,
              vm_password: 'a-long-password',
            },
          }),
        ),
      ),
    );
    const tasks = await Promise.all([finished(first ?? ''), finished(second ?? '')]);
    expect(tasks.map((task) => task.status)).toEqual(['completed', 'completed']);
    const vms = simulator.state.vms.filter(
      (vm) => vm.config.name?.startsWith('pair-') && vm.config.name.endsWith(''),
    );
    const ours = vms.filter((vm) => vm.config.name?.includes(tag));
    expect(ours).toHaveLength(8);
    expect(new Set(ours.map((vm) => vm.vmid)).size).toBe(8);
    expect(new Set(ours.map((vm) => vm.config.ipconfig0)).size).toBe(8);
    // The password reached Proxmox as a SHA-512 crypt hash, and is in no task record.
    expect(ours[0]?.config.cipassword).toMatch(/^\$6\$/);
    const stored = (await admin.request('GET', `/api/tasks/${first ?? ''}/status`)).body;
    expect(stored).not.toContain('a-long-password');
  }, 90_000);

  it('attaches the security group, with disks and NICs as asked', async () => {
    const name = `fw-${tag}`;
    const taskId = accepted(
      await admin.request('POST', '/api/servers', {
        body: {
          name,
          cpu: 2,
          memory: 2048,
          vm_password: 'a-long-password',
          firewall_group: 'ssh-admin',
          disks: [{ size_gb: 40 }, { size_gb: 10, disk_type: 'ssd' }],
          network_devices: [
            { bridge: 'vmbr0' },
            { bridge: 'vmbr1', ip_address: '192.0.2.50', subnet: 24, gateway: '192.0.2.1' },
          ],
          tags: ['web'],
        },
      }),
    );
    const task = await finished(taskId);
    expect(task.items[0]?.error ?? null).toBeNull();
    const vm = vmNamed(name);
    expect(vm?.firewallRules).toContainEqual(expect.objectContaining({ type: 'group', action: 'ssh-admin' }));
    expect(vm?.firewallOptions.enable).toBe('1');
    expect(vm?.config.scsi0).toMatch(/size=40G/);
    expect(vm?.config.scsi1).toMatch(/size=10G/);
    expect(vm?.config.ipconfig1).toBe('ip=192.0.2.50/24,gw=192.0.2.1');
    expect(vm?.config.net1).toMatch(/bridge=vmbr1/);
    expect(vm?.config.tags?.split(';').sort()).toEqual(['proxdeck', 'web']);
    expect(vm?.config.cores).toBe('2');
    const server = (await admin.request('GET', `/api/servers/${name}`)).json<{
      data: { firewall_group: string; ip_addresses: string[] };
    }>().data;
    expect(server.firewall_group).toBe('ssh-admin');
    expect(server.ip_addresses).toContain('192.0.2.50');
  });

  it('shows a generated password once, to the creator, with the finished task', async () => {
    const taskId = accepted(
      await admin.request('POST', '/api/servers', { body: { name: `gen-${tag}`, cpu: 1, memory: 1024 } }),
    );
    // Waited for through the task list, which shows no secrets: the first read of the task is the test's.
    await waitFor(
      async () => {
        const list = (await admin.request('GET', '/api/tasks/status?per_page=5')).json<{
          data: { task_id: string; status: string; result: Record<string, unknown> | null }[];
        }>().data;
        const task = list.find((candidate) => candidate.task_id === taskId);
        expect(task?.result?.secrets).toBeUndefined();
        return task?.status === 'completed' || undefined;
      },
      { timeoutMs: 60_000, what: 'the creation' },
    );
    const first = (await admin.request('GET', `/api/tasks/${taskId}/status`)).json<{ data: TaskBody }>().data;
    const secret = (first.result?.secrets as Record<string, string> | undefined)?.[`gen-${tag}`];
    expect(secret).toMatch(/^[A-Za-z0-9_-]{16}$/);
    const again = (await admin.request('GET', `/api/tasks/${taskId}/status`)).json<{ data: TaskBody }>().data;
    expect(again.result?.secrets).toBeUndefined();
    expect(vmNamed(`gen-${tag}`)?.config.cipassword).toMatch(/^\$6\$/);
  });

  it('passes over a VMID whose volumes remain after its VM was destroyed, and leaves them alone', async () => {
    // The VMID the next creation would take: the lowest of the range no server holds and Proxmox calls free.
    const { min, max } = t.config.values.VMID_RANGE;
    const held = new Set(
      (
        await t.app
          .get(DataSource)
          .query<{ vmid: number }[]>('SELECT vmid FROM servers WHERE vmid IS NOT NULL')
      ).map((row) => row.vmid),
    );
    let next = min;
    while (held.has(next) || simulator.state.vms.some((vm) => vm.vmid === next)) next += 1;
    expect(next).toBeLessThan(max);
    // A VM destroyed by hand without its unreferenced disks left these on a node's own and on shared storage.
    const leftovers = [
      { volid: `local-lvm:vm-${String(next)}-disk-0`, storage: 'local-lvm', node: 'pve2' },
      { volid: `ssd-pool:vm-${String(next)}-disk-1`, storage: 'ssd-pool' },
    ];
    for (const leftover of leftovers)
      simulator.state.volumes.push({
        ...leftover,
        content: 'images',
        format: 'raw',
        size: 8 * 1024 ** 3,
        vmid: next,
        ctime: Math.floor(Date.now() / 1000),
      });
    try {
      const task = await finished(
        accepted(
          await admin.request('POST', '/api/servers', {
            body: { name: `after-leftover-${tag}`, cpu: 1, memory: 1024, vm_password: 'a-long-password' },
          }),
        ),
      );
      expect(task.status).toBe('completed');
      const vmid = vmNamed(`after-leftover-${tag}`)?.vmid;
      expect(vmid).toBeGreaterThan(next);
      expect(simulator.state.vms.some((vm) => vm.vmid === next)).toBe(false);
      expect(
        simulator.state.volumes.filter((volume) => volume.vmid === next).map((volume) => volume.volid),
      ).toEqual(leftovers.map((leftover) => leftover.volid));
    } finally {
      simulator.state.volumes = simulator.state.volumes.filter((volume) => volume.vmid !== next);
    }
  });

  it('keeps Proxmox’s error text when a clone fails, and the server is failed', async () => {
    simulator.setFaults({ failTasks: { qmclone: 'clone failed: injected storage error' } });
    try {
      const taskId = accepted(
        await admin.request('POST', '/api/servers', {
          body: { name: `broken-${tag}`, cpu: 1, memory: 1024, vm_password: 'a-long-password' },
        }),
      );
      const task = await finished(taskId);
      expect(task.status).toBe('failed');
      expect(task.items[0]?.error).toContain('clone failed: injected storage error');
      const server = (await admin.request('GET', `/api/servers/broken-${tag}`)).json<{
        data: { status: string; error: string };
      }>().data;
      expect(server.status).toBe('failed');
      expect(server.error).toContain('injected storage error');
    } finally {
      simulator.setFaults({});
    }
  });

  it('fails with Proxmox’s answer when a node stops answering (596) or a lock never clears; a retry completes', async () => {
    const unreachable = accepted(
      await admin.request('POST', '/api/servers', {
        body: { name: `far-${tag}`, node: 'pve3', cpu: 1, memory: 1024, vm_password: 'a-long-password' },
      }),
    );
    simulator.setFaults({ unreachableNodes: ['pve3'] });
    try {
      const failed = await finished(unreachable);
      expect(failed.status).toBe('failed');
      expect(failed.items[0]?.error).toMatch(
        /Connection refused \(Proxmox answered 596 to \w+ \/nodes\/pve3\//,
      );
    } finally {
      simulator.setFaults({});
    }
    expect((await admin.request('POST', `/api/tasks/${unreachable}/retry`)).status).toBe(202);
    expect((await finished(unreachable)).status).toBe('completed');

    // Every VMID the next creation could take is locked for good: its clone fails with the lock timeout, after retries.
    const vmids = Array.from({ length: 400 }, (_, index) => 10_000 + index);
    simulator.setFaults({ lockTimeoutVmids: vmids });
    let locked: string;
    try {
      locked = accepted(
        await admin.request('POST', '/api/servers', {
          body: { name: `locked-${tag}`, cpu: 1, memory: 1024, vm_password: 'a-long-password' },
        }),
      );
      const failed = await finished(locked);
      expect(failed.status).toBe('failed');
      expect(failed.items[0]?.error).toMatch(
        /can't lock file '\/var\/lock\/qemu-server\/lock-\d+\.conf' - got timeout/,
      );
    } finally {
      simulator.setFaults({});
    }
    expect((await admin.request('POST', `/api/tasks/${locked}/retry`)).status).toBe(202);
    expect((await finished(locked)).status).toBe('completed');
    expect(vmNamed(`locked-${tag}`)?.running).toBe(true);
  }, 90_000);

  it('retries only the failed items of a bulk task, and completes them', async () => {
    const lockedName = `retry-${tag}-02`;
    simulator.setFaults({ failTasks: { qmstart: 'start failed: injected' } });
    let taskId: string;
    try {
      taskId = accepted(
        await admin.request('POST', '/api/create_servers_bulk', {
          body: { base_name: `retry-${tag}`, count: 3, cpu: 1, memory: 1024, vm_password: 'a-long-password' },
        }),
      );
      const failed = await finished(taskId);
      expect(failed.status).toBe('failed');
      expect(failed.items.map((item) => item.error)).toEqual(
        Array(3).fill(expect.stringContaining('start failed: injected')),
      );
    } finally {
      simulator.setFaults({});
    }
    const clonesBefore = simulator.requestCounts()['POST /nodes/{node}/qemu/{vmid}/clone'] ?? 0;
    const retried = await admin.request('POST', `/api/tasks/${taskId}/retry`);
    expect(retried.status).toBe(202);
    const done = await finished(taskId);
    expect(done.status).toBe('completed');
    // Each resumed at its failed step: no second clone, the same VM.
    expect(simulator.requestCounts()['POST /nodes/{node}/qemu/{vmid}/clone'] ?? 0).toBe(clonesBefore);
    expect(vmNamed(lockedName)?.running).toBe(true);
    expect(
      (await admin.request('GET', `/api/servers/${lockedName}`)).json<{
        data: { status: string; error: string | null };
      }>().data,
    ).toMatchObject({ status: 'running', error: null });
    // Nothing left to retry.
    expect((await admin.request('POST', `/api/tasks/${taskId}/retry`)).status).toBe(409);
  });

  it('cancels the items not started yet; a retry then creates them', async () => {
    const taskId = accepted(
      await admin.request('POST', '/api/create_servers_bulk', {
        body: { base_name: `cancel-${tag}`, count: 14, cpu: 1, memory: 1024, vm_password: 'a-long-password' },
      }),
    );
    expect((await admin.request('POST', `/api/tasks/${taskId}/cancel`)).status).toBe(202);
    const ended = await finished(taskId);
    const cancelled = ended.items.filter((item) => item.status === 'cancelled');
    expect(cancelled.length).toBeGreaterThanOrEqual(4); // SERVER_CREATE_CONCURRENCY is 10
    expect(ended.items.every((item) => ['completed', 'cancelled'].includes(item.status))).toBe(true);
    expect(ended.status).toBe('cancelled');
    for (const item of cancelled) {
      expect(vmNamed(item.name)).toBeUndefined();
      expect(
        (await admin.request('GET', `/api/servers/${item.name}`)).json<{ data: { status: string } }>().data
          .status,
      ).toBe('failed');
    }
    expect((await admin.request('POST', `/api/tasks/${taskId}/cancel`)).status).toBe(409);

    expect((await admin.request('POST', `/api/tasks/${taskId}/retry`)).status).toBe(202);
    const retried = await finished(taskId, 120_000);
    expect(retried.status).toBe('completed');
    for (const item of cancelled) expect(vmNamed(item.name)?.running).toBe(true);
  }, 120_000);

  it('lets only the creator retry, and refuses tasks that cannot be retried or cancelled', async () => {
    const other = await t.createUser('operator');
    const session = await t.login(other.username, other.password);
    simulator.setFaults({ failTasks: { qmclone: 'clone failed: injected' } });
    let taskId: string;
    try {
      taskId = accepted(
        await admin.request('POST', '/api/servers', {
          body: { name: `owned-${tag}`, cpu: 1, memory: 1024, vm_password: 'a-long-password' },
        }),
      );
      await finished(taskId);
    } finally {
      simulator.setFaults({});
    }
    expect((await session.request('POST', `/api/tasks/${taskId}/retry`)).status).toBe(403);
    const simple = accepted(await admin.request('POST', '/api/test/simple', { body: { duration_ms: 0 } }));
    await finished(simple);
    expect((await admin.request('POST', `/api/tasks/${simple}/retry`)).json()).toMatchObject({
      code: 'CONFLICT',
    });
    expect((await admin.request('POST', `/api/tasks/${simple}/cancel`)).json()).toMatchObject({
      code: 'CONFLICT',
    });
    expect(
      (await admin.request('POST', '/api/tasks/00000000-0000-4000-8000-000000000000/retry')).status,
    ).toBe(404);
  });

  describe('cleanup', () => {
    interface CleanupStatus {
      db: { exists: boolean; status: string | null };
      pve: { exists: boolean; vmid: number | null; lock: string | null; tagged: boolean };
      ips_reserved: string[];
      needs_cleanup: boolean;
      reasons: string[];
    }
    const status = async (name: string) =>
      (await admin.request('GET', `/api/cleanup/status/${name}`)).json<{ data: CleanupStatus }>().data;

    it('removes what a failed creation left: the VM (once its stale clone lock is lifted), its IPs, its record', async () => {
      const name = `leftover-${tag}`;
      simulator.setFaults({ failTasks: { qmstart: 'start failed: injected' } });
      try {
        await finished(
          accepted(
            await admin.request('POST', '/api/servers', {
              body: { name, cpu: 1, memory: 1024, vm_password: 'a-long-password' },
            }),
          ),
        );
      } finally {
        simulator.setFaults({});
      }
      const vm = vmNamed(name);
      if (!vm) throw new Error('the failed server left no VM');
      vm.config.lock = 'clone'; // as a clone interrupted by a crash leaves it
      const before = await status(name);
      expect(before).toMatchObject({
        db: { exists: true, status: 'failed' },
        pve: { exists: true, vmid: vm.vmid, lock: 'clone', tagged: true },
        needs_cleanup: true,
        reasons: ['its creation failed'],
      });
      expect(before.ips_reserved).toHaveLength(1);
      const listed = (await admin.request('GET', '/api/cleanup/failed-servers')).json<{
        data: { server_name: string; kind: string }[];
      }>().data;
      expect(listed).toContainEqual(expect.objectContaining({ server_name: name, kind: 'failed' }));

      // Only root@pam may lift a lock through the API (skiplock); a token is told what to do instead.
      const cleanupTask = accepted(await admin.request('POST', `/api/cleanup/clean/${name}`));
      const refused = await finished(cleanupTask);
      expect(refused.status).toBe('failed');
      expect(refused.items[0]?.error).toBe(
        `VM ${String(vm.vmid)} is locked (clone) and only root@pam may unlock it through the API: run "qm unlock ${String(vm.vmid)}" on ${vm.node}, then clean again`,
      );
      delete vm.config.lock; // the administrator ran qm unlock
      expect((await admin.request('POST', `/api/tasks/${cleanupTask}/retry`)).status).toBe(202);
      const task = await finished(cleanupTask);
      expect(task.status).toBe('completed');
      expect(vmNamed(name)).toBeUndefined();
      expect((await admin.request('GET', `/api/servers/${name}`)).status).toBe(404);
      expect((await admin.request('GET', `/api/cleanup/status/${name}`)).status).toBe(404);
      const leases = (await admin.request('GET', '/api/ip_pools')).body;
      expect(leases).not.toContain(`server:${name}`);
    });

    it('removes VMs tagged proxdeck that have no record, and never a VM Proxdeck did not make', async () => {
      const model = vmNamed(`bulk-${tag}-01`);
      if (!model) throw new Error('no model VM');
      const orphan = {
        ...structuredClone(model),
        vmid: 48_001,
        running: false,
        config: { ...model.config, name: `orphan-${tag}` },
      };
      simulator.state.vms.push(orphan);
      const listed = (await admin.request('GET', '/api/cleanup/failed-servers')).json<{
        data: { server_name: string; kind: string }[];
      }>().data;
      expect(listed).toContainEqual(
        expect.objectContaining({ server_name: `orphan-${tag}`, kind: 'orphan_vm' }),
      );
      expect(listed.map((candidate) => candidate.server_name)).not.toContain('legacy-mail');
      const task = await finished(
        accepted(
          await admin.request('POST', '/api/cleanup/bulk-clean', {
            body: { server_names: [`orphan-${tag}`] },
          }),
        ),
      );
      expect(task.status).toBe('completed');
      expect(vmNamed(`orphan-${tag}`)).toBeUndefined();

      // Not Proxdeck's: no record and no tag.
      expect((await admin.request('POST', '/api/cleanup/clean/legacy-mail')).status).toBe(409);
      // Healthy: nothing to clean.
      expect((await admin.request('POST', `/api/cleanup/clean/bulk-${tag}-01`)).status).toBe(409);
      expect((await admin.request('POST', '/api/cleanup/clean/no-such-server')).status).toBe(404);
      expect(
        (await admin.request('POST', '/api/cleanup/bulk-clean', { body: { server_names: [] } })).status,
      ).toBe(400);
    });
  });

  describe('refuses a bad request with a 400 naming the field, and creates nothing', () => {
    beforeAll(async () => {
      await t.app
        .get(ServersRepository)
        .insert({ name: `taken-${tag}`, status: 'stopped', cpuCores: 1, memoryMb: 512 });
    });
    const valid = () => ({ name: `valid-${tag}`, cpu: 1, memory: 1024, vm_password: 'a-long-password' });
    const cases: [string, string, Record<string, unknown>, string][] = [
      ['/api/servers', 'a missing name', { name: undefined }, 'name'],
      ['/api/servers', 'a name with capitals', { name: 'Web01' }, 'name'],
      ['/api/servers', 'a name ending in -', { name: 'web-' }, 'name'],
      ['/api/servers', 'a name of 64 characters', { name: 'a'.repeat(64) }, 'name'],
      ['/api/servers', 'an unknown os_type', { os_type: 'plan9' }, 'os_type'],
      ['/api/servers', 'a template that is not one', { template_vm_id: 100 }, 'template_vm_id'],
      ['/api/servers', 'a template that does not exist', { template_vm_id: 4321 }, 'template_vm_id'],
      ['/api/servers', 'cpu 0', { cpu: 0 }, 'cpu'],
      ['/api/servers', 'cpu 129', { cpu: 129 }, 'cpu'],
      ['/api/servers', 'cpu as text', { cpu: 'two' }, 'cpu'],
      ['/api/servers', 'memory 256', { memory: 256 }, 'memory'],
      ['/api/servers', 'no disks', { disks: [] }, 'disks'],
      ['/api/servers', 'a disk of 0 GB', { disks: [{ size_gb: 0 }] }, 'disks.0.size_gb'],
      [
        '/api/servers',
        'a boot disk smaller than the template’s',
        { disks: [{ size_gb: 1 }] },
        'disks.0.size_gb',
      ],
      [
        '/api/servers',
        'an unknown datastore',
        { disks: [{ size_gb: 40, datastore_id: 'nowhere' }] },
        'disks.0.datastore_id',
      ],
      [
        '/api/servers',
        'a datastore without images',
        { disks: [{ size_gb: 40, datastore_id: 'nfs-backup' }] },
        'disks.0.datastore_id',
      ],
      [
        '/api/servers',
        'a bad disk type',
        { disks: [{ size_gb: 40, disk_type: 'tape' }] },
        'disks.0.disk_type',
      ],
      [
        '/api/servers',
        'a bad disk interface',
        { disks: [{ size_gb: 40 }, { size_gb: 5, interface: 'nvme1' }] },
        'disks.1.interface',
      ],
      ['/api/servers', 'nine disks', { disks: Array.from({ length: 9 }, () => ({ size_gb: 40 })) }, 'disks'],
      [
        '/api/servers',
        'an unknown bridge',
        { network_devices: [{ bridge: 'vmbr9' }] },
        'network_devices.0.bridge',
      ],
      [
        '/api/servers',
        'a bad IP address',
        { network_devices: [{ bridge: 'vmbr0', ip_address: '10.10.0.300' }] },
        'network_devices.0.ip_address',
      ],
      [
        '/api/servers',
        'the gateway as address',
        { network_devices: [{ bridge: 'vmbr0', ip_address: '10.10.0.1' }] },
        'network_devices.0.ip_address',
      ],
      [
        '/api/servers',
        'an address outside every pool',
        { network_devices: [{ bridge: 'vmbr0', ip_address: '192.0.2.7' }] },
        'network_devices.0.ip_address',
      ],
      [
        '/api/servers',
        'a subnet without a gateway',
        { network_devices: [{ bridge: 'vmbr0', ip_address: '192.0.2.7', subnet: 24 }] },
        'network_devices.0.gateway',
      ],
      [
        '/api/servers',
        'five network devices',
        { network_devices: Array.from({ length: 5 }, () => ({ bridge: 'vmbr0' })) },
        'network_devices',
      ],
      ['/api/servers', 'an unknown node', { node: 'pve9' }, 'node'],
      ['/api/servers', 'an unknown security group', { firewall_group: 'nosuchgroup' }, 'firewall_group'],
      ['/api/servers', 'a short password', { vm_password: 'short' }, 'vm_password'],
      ['/api/servers', 'a bad user name', { vm_username: 'Root User' }, 'vm_username'],
      ['/api/servers', 'a bad SSH key', { ssh_keys: ['not a key'] }, 'ssh_keys'],
      ['/api/servers', 'a bad tag', { tags: ['Bad Tag'] }, 'tags'],
      ['/api/servers', 'an unknown field', { colour: 'blue' }, 'colour'],
      ['/api/servers', 'a taken name', { name: `taken-${tag}` }, 'name'],
      [
        '/api/create_servers_bulk',
        'a repeated name in a list',
        { servers: [{ name: `dup-${tag}` }, { name: `dup-${tag}` }] },
        'servers.1.name',
      ],
      [
        '/api/create_servers_bulk',
        'a repeated address in a list',
        {
          servers: [
            { name: `ip1-${tag}`, network_devices: [{ bridge: 'vmbr0', ip_address: '10.10.0.240' }] },
            { name: `ip2-${tag}`, network_devices: [{ bridge: 'vmbr0', ip_address: '10.10.0.240' }] },
          ],
        },
        'servers.1.network_devices.0.ip_address',
      ],
      [
        '/api/create_servers_bulk',
        'a bad field deep in a list',
        { servers: [{ name: `ok-${tag}` }, { name: `bad-${tag}`, cpu: 0 }] },
        'servers.1.cpu',
      ],
      ['/api/create_servers_bulk', 'a count of 101', { base_name: `many-${tag}`, count: 101 }, 'count'],
      ['/api/create_servers_bulk', 'a pattern without count', { base_name: `few-${tag}` }, 'count'],
      [
        '/api/create_servers_bulk',
        '101 servers in a list',
        { servers: Array.from({ length: 101 }, (_, i) => ({ name: `n${String(i)}-${tag}` })) },
        'servers',
      ],
    ];
    it.each(cases)('%s: %s', async (path, _what, change, field) => {
      const before = simulator.state.vms.length;
      const tasksBefore = (await admin.request('GET', '/api/tasks/status?per_page=1')).json<{
        pagination: { total: number };
      }>().pagination.total;
      const base = path === '/api/servers' ? valid() : {};
      const body = Object.fromEntries(
        Object.entries({ ...base, ...change }).filter(([, value]) => value !== undefined),
      );
      const response = await admin.request('POST', path, { body });
      expect(response.status).toBe(400);
      const fields = response.json<{ details: { fields: Record<string, string> } }>().details.fields;
      expect(Object.keys(fields)).toContain(field);
      expect(simulator.state.vms.length).toBe(before);
      const tasksAfter = (await admin.request('GET', '/api/tasks/status?per_page=1')).json<{
        pagination: { total: number };
      }>().pagination.total;
      expect(tasksAfter).toBe(tasksBefore);
    });

    it('an unknown role is a 400 naming role, and role_variables need a role', async () => {
      const unknown = await admin.request('POST', '/api/servers', {
        body: { ...valid(), role: 'no_such_role' },
      });
      expect(unknown.status).toBe(400);
      expect(unknown.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(Object.keys(unknown.json<{ details: { fields: object } }>().details.fields)).toEqual(['role']);
      const alone = await admin.request('POST', '/api/servers', {
        body: { ...valid(), role_variables: { web_listen_port: 80 } },
      });
      expect(alone.status).toBe(400);
      expect(Object.keys(alone.json<{ details: { fields: object } }>().details.fields)).toEqual([
        'role_variables',
      ]);
    });
  });
});
