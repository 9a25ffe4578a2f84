import { randomBytes } from 'node:crypto';
import type { RunningPveSimulator } from '@proxdeck/pve-sim';
import { DataSource } from 'typeorm';
import { simulatorVm, startSimulatorFleet } from '../support/simulator-app';
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
  const vmOf = (server: string) => simulatorVm(simulator, server);

  beforeAll(async () => {
    ({ simulator, t, admin } = await startSimulatorFleet({
      baseName: `bk-${tag}`,
      count: 4,
      vmidRange: '32000-32999',
      // Nodes on Korean time: schedules run on their wall clock, 9 hours ahead of UTC.
      simulator: { timeZone: 'Asia/Seoul' },
    }));
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
    const badNode = await admin.request('POST', '/api/backups/restore', {
      body: { node: 'pve9', volid: source.volid, name: `bk-${tag}-other` },
    });
    expect(badNode.status).toBe(400);
    expect(badNode.json<{ details: { fields: Record<string, string> } }>().details.fields).toHaveProperty(
      'node',
    );
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

  interface Job {
    id: string;
    schedule: string;
    enabled: boolean;
    selection: { vmids?: number[]; tag?: string; pool?: string };
    vmids: number[];
    storage: string | null;
    prune: Record<string, number>;
    notes_template: string | null;
    next_run: string | null;
    next_runs: string[];
    time_zone: string;
    last_run: { at: string; status: string; task_id: string | null; upid: string | null } | null;
  }
  const fields = (response: { json: <J>() => J }) =>
    response.json<{ details: { fields: Record<string, string> } }>().details.fields;

  it('previews schedules in Proxmox calendar-event format, refusing what Proxmox refuses', async () => {
    const preview = data<{ next_runs: string[]; time_zone: string }>(
      await admin.request('GET', `/api/backups/jobs/preview?schedule=${encodeURIComponent('sat 02:00')}`),
    );
    expect(preview.time_zone).toBe('Asia/Seoul');
    expect(preview.next_runs).toHaveLength(5);
    for (const run of preview.next_runs) {
      // Saturday 02:00 in Seoul is Friday 17:00 UTC.
      expect(new Date(run).getUTCDay()).toBe(5);
      expect(run).toMatch(/T17:00:00\.000Z$/);
    }
    const bad = await admin.request(
      'GET',
      `/api/backups/jobs/preview?schedule=${encodeURIComponent('every day')}`,
    );
    expect(bad.status).toBe(400);
    expect(fields(bad).schedule).toContain("invalid calendar event 'every day'");
  });

  let job: Job;

  it('creates Proxmox backup jobs, refusing bad schedules, selections and storages field by field', async () => {
    const vmid = vmOf(name(2)).vmid;
    const body = {
      schedule: 'mon..fri 22:30',
      selection: { vmids: [vmid] },
      storage: 'local',
      mode: 'snapshot',
      compress: 'zstd',
      prune: { keep_last: 2, keep_daily: 7 },
      notes_template: '{{guestname}} nightly',
    };
    const badSchedule = await admin.request('POST', '/api/backups/jobs', {
      body: { ...body, schedule: '25:00' },
    });
    expect(badSchedule.status).toBe(400);
    expect(fields(badSchedule).schedule).toContain('hour value 25 out of range');
    const twoSelections = await admin.request('POST', '/api/backups/jobs', {
      body: { ...body, selection: { vmids: [vmid], pool: 'web' } },
    });
    expect(twoSelections.status).toBe(400);
    expect(fields(twoSelections)).toHaveProperty('selection');
    const noTag = await admin.request('POST', '/api/backups/jobs', {
      body: { ...body, selection: { tag: `none-${tag}` } },
    });
    expect(fields(noTag)).toHaveProperty(['selection.tag']);
    const { selection: _omitted, ...withoutSelection } = body;
    const noSelection = await admin.request('POST', '/api/backups/jobs', { body: withoutSelection });
    expect(noSelection.status).toBe(400);
    expect(fields(noSelection)).toHaveProperty('selection');
    const noBackups = await admin.request('POST', '/api/backups/jobs', {
      body: { ...body, storage: 'local-lvm' },
    });
    expect(fields(noBackups)).toHaveProperty('storage');

    const created = await admin.request('POST', '/api/backups/jobs', { body });
    expect(created.status).toBe(201);
    job = created.json<{ data: Job }>().data;
    expect(job).toMatchObject({
      schedule: 'mon..fri 22:30',
      enabled: true,
      selection: { vmids: [vmid] },
      storage: 'local',
      prune: { keep_last: 2, keep_daily: 7 },
      notes_template: '{{guestname}} nightly',
      last_run: null,
    });
    expect(job.id).toMatch(/^backup-[0-9a-f]{8}-[0-9a-f]{4}$/);
    // It is Proxmox's own job: in jobs.cfg, with its retention, visible in Proxmox's UI.
    const inProxmox = simulator.state.backupJobs?.find((candidate) => candidate.id === job.id);
    expect(inProxmox).toMatchObject({
      schedule: 'mon..fri 22:30',
      options: { vmid: String(vmid), storage: 'local', 'prune-backups': 'keep-last=2,keep-daily=7' },
    });
    // Proxmox's next run and Proxdeck's preview agree: both on the nodes' clock (22:30 in Seoul, 13:30 UTC).
    expect(job.next_run).toBe(job.next_runs[0]);
    expect(job.time_zone).toBe('Asia/Seoul');
    for (const run of job.next_runs) {
      expect(run).toMatch(/T13:30:00\.000Z$/);
      expect([1, 2, 3, 4, 5]).toContain(new Date(new Date(run).getTime() + 9 * 3600_000).getUTCDay());
    }
    expect(data<Job[]>(await admin.request('GET', '/api/backups/jobs')).map((j) => j.id)).toContain(job.id);
  });

  it('lists the servers no enabled job covers; disabling a job uncovers its servers', async () => {
    const uncovered = async () =>
      data<{ server_name: string | null }[]>(await admin.request('GET', '/api/backups/not-covered')).map(
        (entry) => entry.server_name,
      );
    expect(await uncovered()).not.toContain(name(2));
    expect(await uncovered()).toContain(name(3));
    const body = {
      schedule: job.schedule,
      selection: job.selection,
      storage: 'local',
      prune: { keep_last: 2, keep_daily: 7 },
    };
    const disabled = data<Job>(
      await admin.request('PUT', `/api/backups/jobs/${job.id}`, { body: { ...body, enabled: false } }),
    );
    expect(disabled).toMatchObject({ enabled: false, next_run: null, notes_template: null });
    expect(await uncovered()).toContain(name(2));
    const enabled = data<Job>(
      await admin.request('PUT', `/api/backups/jobs/${job.id}`, { body: { ...body, enabled: true } }),
    );
    expect(enabled.next_run).not.toBeNull();
    expect(await uncovered()).not.toContain(name(2));
    expect((await admin.request('PUT', '/api/backups/jobs/backup-nosuchjob', { body })).status).toBe(404);
  });

  it('runs a job now, following its vzdump to the end; shows it as the last run', async () => {
    const before = simulator.state.volumes.filter(
      (v) => v.vmid === vmOf(name(2)).vmid && v.content === 'backup',
    );
    const taskId = accepted(await admin.request('POST', `/api/backups/jobs/${job.id}/run`));
    // Once at a time: a second "run now" while the first runs is a 409 naming its task.
    const again = await admin.request('POST', `/api/backups/jobs/${job.id}/run`);
    expect(again.status).toBe(409);
    expect(again.json<{ details: { task_id: string } }>().details.task_id).toBe(taskId);
    const task = await finished(taskId);
    expect(task.status).toBe('completed');
    const upid = task.items[0]?.pve_upids[0] ?? '';
    expect(simulator.state.tasks.find((t) => t.upid === upid)).toMatchObject({
      type: 'vzdump',
      exitstatus: 'OK',
    });
    const after = simulator.state.volumes.filter(
      (v) => v.vmid === vmOf(name(2)).vmid && v.content === 'backup',
    );
    expect(after.length).toBe(before.length + 1);
    const listed = data<Job[]>(await admin.request('GET', '/api/backups/jobs')).find((j) => j.id === job.id);
    expect(listed?.last_run).toMatchObject({ status: 'completed', task_id: taskId });
  }, 60_000);

  it("shows a run Proxmox's scheduler started on its own as the job's last run", async () => {
    // Daily at the minute that has just begun on the nodes' clock (Seoul, UTC+9): due once the job's last check
    // lies before it.
    const minute = new Date(Date.now() + 9 * 3600_000).toISOString().slice(11, 16);
    // Older backups of the VM, there before the run.
    const vm = vmOf(name(2));
    for (const days of [30, 31])
      simulator.state.volumes.push({
        volid: `local:backup/vzdump-qemu-${String(vm.vmid)}-old${String(days)}.vma.zst`,
        storage: 'local',
        node: vm.node,
        content: 'backup',
        format: 'vma.zst',
        size: 4096,
        vmid: vm.vmid,
        ctime: Math.floor(Date.now() / 1000) - days * 86_400,
      });
    const seen = new Set(simulator.state.tasks.map((t) => t.upid));
    const inProxmox = () => {
      const found = simulator.state.backupJobs?.find((candidate) => candidate.id === job.id);
      if (!found) throw new Error('the job is not in the simulator');
      return found;
    };
    // Not due while it changes (pvescheduler's last check lies ahead): no run with half the new settings.
    inProxmox().lastRun = Math.floor(Date.now() / 1000) + 86_400;
    const body = { schedule: minute, selection: job.selection, storage: 'local', prune: { keep_last: 2 } };
    data(await admin.request('PUT', `/api/backups/jobs/${job.id}`, { body }));
    inProxmox().lastRun = Math.floor(Date.now() / 1000) - 120; // its last check was two minutes ago: due now
    // The simulator's pvescheduler (every minute × timeScale) starts it, as root@pam.
    let upid = '';
    const started = Date.now() + 30_000;
    while (upid === '') {
      upid =
        simulator.state.tasks.find((t) => t.type === 'vzdump' && t.user === 'root@pam' && !seen.has(t.upid))
          ?.upid ?? '';
      if (Date.now() > started) throw new Error('the scheduler started no vzdump');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(upid).toContain(`:vzdump:${String(vmOf(name(2)).vmid)}:root@pam:`);
    // The newest scheduled run is the job's last run (a run may also have started when the job was saved).
    const scheduledRuns = () =>
      simulator.state.tasks.filter((t) => t.type === 'vzdump' && t.user === 'root@pam' && !seen.has(t.upid));
    const deadline = Date.now() + 30_000;
    let listed: Job | undefined;
    for (;;) {
      listed = data<Job[]>(await admin.request('GET', '/api/backups/jobs')).find((j) => j.id === job.id);
      const runs = scheduledRuns();
      upid = runs[runs.length - 1]?.upid ?? upid;
      const ended = runs.every((run) => run.status === 'stopped');
      if (ended && listed?.last_run?.upid === upid && listed.last_run.status !== 'running') break;
      if (Date.now() > deadline) throw new Error(`the scheduled run did not show: ${JSON.stringify(listed)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(listed.last_run).toMatchObject({ status: 'completed', task_id: null, upid });
    // keep_last 2: the job's retention pruned the older backups of the VM on that storage, the newest stay.
    const kept = simulator.state.volumes.filter(
      (v) => v.vmid === vmOf(name(2)).vmid && v.content === 'backup' && v.storage === 'local',
    );
    // On failure, what the runs did and what they kept.
    const why = JSON.stringify({
      kept: kept.map((v) => v.volid),
      runs: scheduledRuns().map((run) => run.log),
      job: inProxmox(),
    });
    expect({ kept: kept.length, old: kept.filter((v) => v.volid.includes('-old')).length, why }).toEqual({
      kept: 2,
      old: 0,
      why: expect.any(String) as unknown,
    });
  }, 60_000);

  it('selects by tag: the job holds the tagged servers, and a run refreshes them when the tag moved', async () => {
    const db = t.app.get(DataSource);
    const label = `bk-${tag}`;
    const setTag = (names: string[]) =>
      db.query(
        `UPDATE servers SET tags = CASE WHEN name = ANY($1) THEN array_append(array_remove(tags, $2), $2)
                                        ELSE array_remove(tags, $2) END
          WHERE name LIKE $3`,
        [names, label, `bk-${tag}-%`],
      );
    await setTag([name(2), name(3)]);
    const created = await admin.request('POST', '/api/backups/jobs', {
      body: {
        schedule: 'sun 04:00',
        selection: { tag: label },
        storage: 'nfs-backup',
        prune: { keep_last: 1 },
      },
    });
    expect(created.status).toBe(201);
    const tagged = created.json<{ data: Job & { selection_stale: boolean } }>().data;
    const ids = (names: string[]) => names.map((n) => vmOf(n).vmid).sort((a, b) => a - b);
    expect(tagged).toMatchObject({
      selection: { tag: label },
      vmids: ids([name(2), name(3)]),
      selection_stale: false,
    });
    expect(simulator.state.backupJobs?.find((j) => j.id === tagged.id)?.options).toMatchObject({
      vmid: ids([name(2), name(3)]).join(','),
      comment: `proxdeck:tag=${label}`,
    });

    await setTag([name(2)]);
    const stale = data<(Job & { selection_stale: boolean })[]>(
      await admin.request('GET', '/api/backups/jobs'),
    ).find((j) => j.id === tagged.id);
    expect(stale?.selection_stale).toBe(true);
    const task = await finished(accepted(await admin.request('POST', `/api/backups/jobs/${tagged.id}/run`)));
    expect(task.status).toBe('completed');
    const refreshed = data<(Job & { selection_stale: boolean })[]>(
      await admin.request('GET', '/api/backups/jobs'),
    ).find((j) => j.id === tagged.id);
    expect(refreshed).toMatchObject({ vmids: ids([name(2)]), selection_stale: false });
    // The run backed up the one server the tag selects now.
    const upid = task.items[0]?.pve_upids[0] ?? '';
    expect(upid).toContain(`:vzdump:${String(vmOf(name(2)).vmid)}:`);
    await setTag([]);
    expect((await admin.request('DELETE', `/api/backups/jobs/${tagged.id}`)).status).toBe(200);
  }, 60_000);

  it('deletes a job; an unknown one is 404', async () => {
    expect(data<{ id: string }>(await admin.request('DELETE', `/api/backups/jobs/${job.id}`)).id).toBe(
      job.id,
    );
    expect(simulator.state.backupJobs?.some((candidate) => candidate.id === job.id)).toBe(false);
    expect((await admin.request('DELETE', `/api/backups/jobs/${job.id}`)).status).toBe(404);
    expect((await admin.request('POST', `/api/backups/jobs/${job.id}/run`)).status).toBe(404);
  });
});
