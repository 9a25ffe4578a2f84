import { randomBytes } from 'node:crypto';
import type { RunningPveSimulator } from '@proxdeck/pve-sim';
import { DataSource } from 'typeorm';
import { seedSimulatorIpPool } from '../../src/modules/ip-pools';
import { startSimulatorApp } from '../support/simulator-app';
import { acceptedTaskId, taskFinished } from '../support/tasks';
import type { Caller, TestApp } from '../support/test-app';

interface TaskBody {
  status: string;
  progress: number;
  error: string | null;
  finished_at: string | null;
  items: { name: string; status: string; error: string | null; pve_upids: string[] }[];
  result: { volid?: string; node?: string; storage?: string; size_bytes?: number } | null;
}

interface Backup {
  volid: string;
  node: string;
  storage: string;
  vmid: number | null;
  server_name: string | null;
  size_bytes: number;
  format: string;
  ctime: string | null;
  notes: string | null;
  protected: boolean;
}

interface Overview {
  backups: Backup[];
  node_stats: Record<string, { count: number; total_bytes: number }>;
  total_count: number;
  total_bytes: number;
}

/**
 * Backups (docs/api.md §8, §15) against a simulator of our own: a backup follows vzdump to its end and finds
 * its archive; failures carry Proxmox's text; one backup of a server at a time, also against one started in
 * Proxmox; lists per server, node and cluster (a shared storage read once); protection, notes and deletion.
 */
describe('backups: run, follow, list, protect, delete', () => {
  let simulator: RunningPveSimulator;
  let t: TestApp;
  let admin: Caller;
  const tag = randomBytes(2).toString('hex');
  const name = (index: number) => `bk-${tag}-${String(index).padStart(2, '0')}`;
  const vmOf = (server: string) => {
    const vm = simulator.state.vms.find((candidate) => candidate.config.name === server);
    if (!vm) throw new Error(`no VM named ${server} in the simulator`);
    return vm;
  };

  beforeAll(async () => {
    ({ simulator, t } = await startSimulatorApp(0.02, {
      RUN_WORKERS: 'true',
      WORKER_CONCURRENCY: '4',
      PVE_TASK_POLL_MS: '100',
      PVE_LOCK_RETRIES: '1',
      PVE_LOCK_RETRY_DELAY_MS: '50',
      TASK_CONCURRENCY_PER_STORAGE: '8',
      SERVER_READY_TIMEOUT_S: '60',
      VMID_RANGE: '32000-32999',
    }));
    await seedSimulatorIpPool(t.app.get(DataSource));
    admin = await t.admin();
    const created = await finished(
      accepted(
        await admin.request('POST', '/api/create_servers_bulk', {
          body: { base_name: `bk-${tag}`, count: 4, cpu: 1, memory: 1024, vm_password: 'a-long-password' },
        }),
      ),
      180_000,
    );
    expect(created.status).toBe('completed');
  }, 200_000);
  afterAll(async () => {
    await t.close();
    await simulator.close();
  });

  const finished = (taskId: string, timeoutMs?: number) => taskFinished<TaskBody>(admin, taskId, timeoutMs);
  const accepted = acceptedTaskId;
  const backup = (server: string, body: Record<string, unknown> = {}) =>
    admin.request('POST', `/api/server/backup/${server}`, { body });
  const data = <T>(response: { status: number; json: <J>() => J; body: string }): T => {
    if (response.status !== 200)
      throw new Error(`expected 200, got ${String(response.status)}: ${response.body}`);
    return response.json<{ data: T }>().data;
  };

  let first: Backup;

  it('ends only after the vzdump task ended OK and its archive is listed on the storage', async () => {
    const task = await finished(
      accepted(await backup(name(1), { storage: 'nfs-backup', notes: 'before upgrade' })),
    );
    expect(task.status).toBe('completed');
    expect(task.progress).toBe(100);
    const upid = task.items[0]?.pve_upids[0] ?? '';
    expect(upid).toMatch(/^UPID:pve\d:.*:vzdump:/);
    const vzdump = simulator.state.tasks.find((candidate) => candidate.upid === upid);
    expect(vzdump).toMatchObject({ status: 'stopped', exitstatus: 'OK' });
    expect(new Date(task.finished_at ?? 0).getTime()).toBeGreaterThanOrEqual((vzdump?.endtime ?? 0) * 1000);
    // The log had vzdump's percentage lines (the task's progress came from them).
    expect(vzdump?.log.some((line) => /INFO:\s+100% \(/.test(line))).toBe(true);
    const volid = task.result?.volid ?? '';
    expect(volid).toMatch(
      new RegExp(`^nfs-backup:backup/vzdump-qemu-${String(vmOf(name(1)).vmid)}-.*\\.vma\\.zst$`),
    );
    expect(simulator.state.volumes.some((volume) => volume.volid === volid)).toBe(true);
    expect(vmOf(name(1)).config.lock).toBeUndefined();

    const listed = data<Backup[]>(await admin.request('GET', `/api/server/backups/${name(1)}`));
    expect(listed).toHaveLength(1);
    first = listed[0]!;
    expect(first).toMatchObject({
      volid,
      storage: 'nfs-backup',
      vmid: vmOf(name(1)).vmid,
      server_name: name(1),
      format: 'vma.zst',
      notes: 'before upgrade',
      protected: false,
    });
    expect(first.size_bytes).toBeGreaterThan(0);

    const status = data<{ is_backing_up: boolean; status: string; last_backup_at: string | null }>(
      await admin.request('GET', `/api/server/backup/status/${name(1)}`),
    );
    expect(status).toMatchObject({ is_backing_up: false, status: 'completed' });
    expect(status.last_backup_at).not.toBeNull();
    expect(data(await admin.request('GET', `/api/server/backup/${name(1)}/status`))).toEqual(status);
    const all = data<{ server_name: string }[]>(await admin.request('GET', '/api/server/backup/status'));
    expect(all.map((entry) => entry.server_name)).toContain(name(1));
  }, 60_000);

  it('refuses a storage without backup content', async () => {
    const response = await backup(name(1), { storage: 'local-lvm' });
    expect(response.status).toBe(400);
    expect(response.body).toContain('storage');
  });

  it('fails with the text of a failing vzdump (injected)', async () => {
    const vmid = vmOf(name(2)).vmid;
    simulator.setFaults({
      failTasks: { [`vzdump:${String(vmid)}`]: 'unable to create temporary directory' },
    });
    try {
      const task = await finished(accepted(await backup(name(2), { storage: 'local' })));
      expect(task.status).toBe('failed');
      // vzdump's own words: its exit status and the reason its log gives.
      expect(task.items[0]?.error).toContain('job errors');
      expect(task.items[0]?.error).toContain(
        `Backup of VM ${String(vmid)} failed - unable to create temporary directory`,
      );
      expect(vmOf(name(2)).config.lock).toBeUndefined();
      expect(data<Backup[]>(await admin.request('GET', `/api/server/backups/${name(2)}`))).toEqual([]);
    } finally {
      simulator.setFaults({});
    }
  }, 60_000);

  it('refuses a second backup of a server while one runs: 409, also one started in Proxmox', async () => {
    const taskId = accepted(await backup(name(3), { storage: 'local', compress: 'lzo' }));
    const second = await backup(name(3), { storage: 'local' });
    expect(second.status).toBe(409);
    expect(second.json<{ details: { task_id: string } }>().details.task_id).toBe(taskId);
    expect((await finished(taskId)).status).toBe('completed');

    // vzdump started outside Proxdeck holds `lock: backup` on the VM while it runs.
    const vm = vmOf(name(3));
    vm.config.lock = 'backup';
    try {
      const status = data<{ is_backing_up: boolean }>(
        await admin.request('GET', `/api/server/backup/status/${name(3)}`),
      );
      expect(status.is_backing_up).toBe(true);
      const refused = await backup(name(3));
      expect(refused.status).toBe(409);
      expect(refused.body).toContain('lock: backup');
    } finally {
      delete vm.config.lock;
    }
  }, 60_000);

  it('lists per node and over the cluster, a shared storage once, with VMIDs Proxdeck does not know', async () => {
    const orphan = {
      volid: 'nfs-backup:backup/vzdump-qemu-99999-2026_01_01-00_00_00.vma.zst',
      storage: 'nfs-backup',
      content: 'backup' as const,
      format: 'vma.zst',
      size: 4096,
      vmid: 99999,
      ctime: Math.floor(Date.UTC(2026, 0, 1) / 1000),
    };
    simulator.state.volumes.push(orphan);
    const contentReads = () => simulator.requestCounts()['GET /nodes/{node}/storage/{storage}/content'] ?? 0;
    const nodes = simulator.state.nodes.filter((node) => node.online).length;
    const expectedReads = nodes + 1; // `local` on each node, the shared `nfs-backup` once

    let before = contentReads();
    const cluster = data<Overview>(await admin.request('GET', '/api/backups/nodes'));
    const readsWithFewBackups = contentReads() - before;
    expect(readsWithFewBackups).toBe(expectedReads);
    const ids = cluster.backups.map((entry) => entry.volid);
    expect(new Set(ids).size).toBe(ids.length); // the shared storage is not counted once per node
    expect(ids).toContain(first.volid);
    expect(cluster.backups.find((entry) => entry.vmid === 99999)).toMatchObject({ server_name: null });
    expect(cluster.total_count).toBe(cluster.backups.length);
    expect(Object.values(cluster.node_stats).reduce((sum, stats) => sum + stats.count, 0)).toBe(
      cluster.total_count,
    );

    // More VMs and more backups: still one read per storage per node.
    expect((await finished(accepted(await backup(name(4), { storage: 'local' })))).status).toBe('completed');
    before = contentReads();
    const more = data<Overview>(await admin.request('GET', '/api/backups/nodes'));
    expect(contentReads() - before).toBe(expectedReads);
    expect(more.total_count).toBe(cluster.total_count + 1);

    const node = vmOf(name(4)).node;
    const perNode = data<Overview>(await admin.request('GET', `/api/backups/nodes/${node}`));
    expect(perNode.backups.every((entry) => entry.node === node)).toBe(true);
    expect(perNode.backups.map((entry) => entry.volid)).toEqual(
      expect.arrayContaining([first.volid, orphan.volid]),
    );
    expect(Object.keys(perNode.node_stats)).toEqual([node]);
    expect((await admin.request('GET', '/api/backups/nodes/no-such-node')).status).toBe(404);
  }, 60_000);

  it('protects, edits notes, and refuses to delete a protected backup; deletes it unprotected', async () => {
    const protectedOne = data<Backup>(
      await admin.request('POST', '/api/backups/protect', {
        body: { node: first.node, volid: first.volid, protected: true, notes: 'keep: release 1.0' },
      }),
    );
    expect(protectedOne).toMatchObject({ volid: first.volid, protected: true, notes: 'keep: release 1.0' });
    expect(simulator.state.volumes.find((volume) => volume.volid === first.volid)?.protected).toBe(true);

    const refused = await admin.request('POST', '/api/backups/delete', {
      body: { node: first.node, volid: first.volid },
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toContain('protected');
    expect(simulator.state.volumes.some((volume) => volume.volid === first.volid)).toBe(true);

    data(
      await admin.request('POST', '/api/backups/protect', {
        body: { node: first.node, volid: first.volid, protected: false },
      }),
    );
    const deleted = data<{ volid: string }>(
      await admin.request('POST', '/api/backups/delete', { body: { node: first.node, volid: first.volid } }),
    );
    expect(deleted.volid).toBe(first.volid);
    expect(simulator.state.volumes.some((volume) => volume.volid === first.volid)).toBe(false);
    expect(data<Backup[]>(await admin.request('GET', `/api/server/backups/${name(1)}`))).toEqual([]);
    const gone = await admin.request('POST', '/api/backups/delete', {
      body: { node: first.node, volid: first.volid },
    });
    expect(gone.status).toBe(404);
  }, 60_000);

  it('restores into a new VM: a running server with its own IP, in the inventory', async () => {
    const source = data<Backup[]>(await admin.request('GET', `/api/server/backups/${name(4)}`))[0];
    if (!source) throw new Error(`no backup of ${name(4)}`);
    const restored = `bk-${tag}-restored`;
    const taken = await admin.request('POST', '/api/backups/restore', {
      body: { node: source.node, volid: source.volid, name: name(1) },
    });
    expect(taken.status).toBe(409);
    const badName = await admin.request('POST', '/api/backups/restore', {
      body: { node: source.node, volid: source.volid, name: 'Not_A_Name' },
    });
    expect(badName.status).toBe(400);
    expect(badName.json<{ details: { fields: Record<string, string> } }>().details.fields).toHaveProperty(
      'name',
    );

    const task = await finished(
      accepted(
        await admin.request('POST', '/api/backups/restore', {
          body: { node: source.node, volid: source.volid, name: restored },
        }),
      ),
      120_000,
    );
    expect(task.status).toBe('completed');
    expect(task.items[0]?.pve_upids.some((upid) => upid.includes(':qmrestore:'))).toBe(true);
    const server = data<{ name: string; status: string; vmid: number; ip_addresses: string[] }>(
      await admin.request('GET', `/api/servers/${restored}`),
    );
    expect(server.status).toBe('running');
    const original = data<{ vmid: number; ip_addresses: string[] }>(
      await admin.request('GET', `/api/servers/${name(4)}`),
    );
    expect(server.vmid).not.toBe(original.vmid);
    expect(server.ip_addresses).toHaveLength(1);
    expect(server.ip_addresses[0]).not.toBe(original.ip_addresses[0]);
    const vm = vmOf(restored);
    expect(vm.running).toBe(true);
    expect(vm.config.ipconfig0).toContain(`ip=${server.ip_addresses[0] ?? ''}/`);
    expect(vm.config.tags?.split(';')).toContain('proxdeck');
    // New MACs (unique): the original's NIC and the restored one differ.
    expect(vm.config.net0).not.toBe(vmOf(name(4)).config.net0);
  }, 150_000);

  it('restores over the original VM only when it is stopped and the caller confirms the overwrite', async () => {
    const source = data<Backup[]>(await admin.request('GET', `/api/server/backups/${name(4)}`))[0];
    if (!source) throw new Error(`no backup of ${name(4)}`);
    const body = { node: source.node, volid: source.volid };
    const unconfirmed = await admin.request('POST', '/api/backups/restore', { body });
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.json<{ details: { fields: Record<string, string> } }>().details.fields).toHaveProperty(
      'overwrite',
    );
    const running = await admin.request('POST', '/api/backups/restore', {
      body: { ...body, overwrite: true },
    });
    expect(running.status).toBe(409);
    expect(running.body).toContain('running');

    const vm = vmOf(name(4));
    vm.running = false; // stopped in Proxmox
    const task = await finished(
      accepted(await admin.request('POST', '/api/backups/restore', { body: { ...body, overwrite: true } })),
      60_000,
    );
    expect(task.status).toBe('completed');
    const upid = task.items[0]?.pve_upids[0] ?? '';
    expect(upid).toContain(`:qmrestore:${String(vm.vmid)}:`);
    expect(simulator.state.tasks.find((t) => t.upid === upid)).toMatchObject({
      status: 'stopped',
      exitstatus: 'OK',
    });
    expect(vmOf(name(4)).config.scsi0).toBeDefined();
    expect(vmOf(name(4)).config.lock).toBeUndefined();
  }, 90_000);
});
