import type { RunningPveSimulator } from '@proxdeck/pve-sim';
import { DataSource } from 'typeorm';
import { startSimulatorApp } from '../support/simulator-app';
import { acceptedTaskId, taskFinished } from '../support/tasks';
import type { Caller, TestApp } from '../support/test-app';

interface TaskBody {
  status: string;
  progress: number;
  finished_at: string | null;
  items: { pve_upids: string[] }[];
}

/**
 * The backup task follows vzdump to its real end (issue 14: the original reported success at once): at a
 * slower time scale, where vzdump takes seconds, the task is watched next to Proxmox's task the whole time.
 */
describe('backups at a slower time scale', () => {
  let simulator: RunningPveSimulator;
  let t: TestApp;
  let admin: Caller;
  let imported: string[] = [];

  beforeAll(async () => {
    ({ simulator, t } = await startSimulatorApp(0.25, {
      RUN_WORKERS: 'true',
      PVE_TASK_POLL_MS: '100',
    }));
    admin = await t.admin();
    const names = async () =>
      (await t.app.get(DataSource).query<{ name: string }[]>('SELECT name FROM servers')).map(
        (row) => row.name,
      );
    // A server another file imported from its own simulator under the same name would hide this one's import.
    const simulatorNames = simulator.state.vms.map((vm) => vm.config.name);
    await t.app
      .get(DataSource)
      .query(`DELETE FROM servers WHERE origin = 'imported' AND name = ANY($1)`, [simulatorNames]);
    const before = new Set(await names());
    // The simulator's own VMs, taken into the inventory: no clone needed at this slow scale.
    const sync = await taskFinished<{ status: string }>(
      admin,
      acceptedTaskId(await admin.request('POST', '/api/sync_servers', { body: { import_unmanaged: true } })),
      60_000,
    );
    expect(sync.status).toBe('completed');
    imported = (await names()).filter((name) => !before.has(name));
  }, 90_000);
  afterAll(async () => {
    // The shared database keeps none of the servers this file imported.
    await t.app.get(DataSource).query('DELETE FROM servers WHERE name = ANY($1)', [imported]);
    await t.close();
    await simulator.close();
  });

  it('is never completed while the vzdump task still runs, and reports vzdump progress on the way', async () => {
    const servers = (await admin.request('GET', '/api/servers?per_page=200')).json<{
      data: { name: string; vmid: number | null; status: string }[];
    }>().data;
    const server = servers.find(
      (candidate) =>
        imported.includes(candidate.name) &&
        candidate.vmid !== null &&
        simulator.state.vms.some((vm) => vm.vmid === candidate.vmid && vm.config.template !== '1'),
    );
    if (!server) throw new Error(`no imported server to back up: ${JSON.stringify(servers)}`);
    const taskId = acceptedTaskId(
      await admin.request('POST', `/api/server/backup/${server.name}`, { body: { storage: 'local' } }),
    );
    const seen: { proxdeck: string; progress: number; vzdump: string }[] = [];
    const deadline = Date.now() + 120_000;
    let task: TaskBody;
    for (;;) {
      task = (await admin.request('GET', `/api/tasks/${taskId}/status`)).json<{ data: TaskBody }>().data;
      const upid = task.items[0]?.pve_upids[0];
      const vzdump = upid ? simulator.state.tasks.find((candidate) => candidate.upid === upid) : undefined;
      seen.push({ proxdeck: task.status, progress: task.progress, vzdump: vzdump?.status ?? 'not started' });
      if (['completed', 'failed'].includes(task.status)) break;
      if (Date.now() > deadline) throw new Error(`the backup did not end: ${JSON.stringify(seen.slice(-3))}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(task.status).toBe('completed');
    // Never done before Proxmox's task ended.
    expect(seen.filter((s) => s.proxdeck === 'completed' && s.vzdump !== 'stopped')).toEqual([]);
    // It ran alongside vzdump for a while, its progress taken from vzdump's percentage lines.
    const alongside = seen.filter((s) => s.proxdeck === 'running' && s.vzdump === 'running');
    expect(alongside.length).toBeGreaterThan(5);
    expect(alongside.some((s) => s.progress > 0 && s.progress < 100)).toBe(true);
    const vzdump = simulator.state.tasks.find((candidate) => candidate.upid === task.items[0]?.pve_upids[0]);
    expect(vzdump).toMatchObject({ status: 'stopped', exitstatus: 'OK' });
    expect(new Date(task.finished_at ?? 0).getTime()).toBeGreaterThanOrEqual((vzdump?.endtime ?? 0) * 1000);
  }, 150_000);

  it('refuses a backup (409) while a vzdump started in Proxmox itself, not by Proxdeck, runs on the server', async () => {
    const server = (await admin.request('GET', '/api/servers?per_page=200'))
      .json<{ data: { name: string; vmid: number | null }[] }>()
      .data.find(
        (candidate) =>
          imported.includes(candidate.name) &&
          simulator.state.vms.some((vm) => vm.vmid === candidate.vmid && vm.config.template !== '1'),
      );
    if (server?.vmid == null) throw new Error('no imported server');
    // A Proxmox backup job that is due: pvescheduler starts its vzdump as root@pam.
    const jobs = (simulator.state.backupJobs ??= []);
    jobs.push({
      id: 'backup-outside',
      schedule: 'hourly',
      options: { vmid: String(server.vmid), storage: 'local', mode: 'snapshot' },
      lastRun: Math.floor(Date.now() / 1000) - 7200,
    });
    const [upid] = simulator.runBackupScheduler();
    simulator.state.backupJobs = jobs.filter((job) => job.id !== 'backup-outside');
    expect(upid).toContain(`:vzdump:${String(server.vmid)}:root@pam:`);
    const vzdump = simulator.state.tasks.find((task) => task.upid === upid);
    expect(vzdump?.status).toBe('running');

    const refused = await admin.request('POST', `/api/server/backup/${server.name}`, {
      body: { storage: 'local' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body).toContain('lock: backup');
    const status = (await admin.request('GET', `/api/server/backup/status/${server.name}`)).json<{
      data: { is_backing_up: boolean };
    }>().data;
    expect(status.is_backing_up).toBe(true);
    expect(vzdump?.status).toBe('running'); // the refusals came while it ran

    const deadline = Date.now() + 60_000;
    while (vzdump?.status !== 'stopped') {
      if (Date.now() > deadline) throw new Error('the vzdump started in Proxmox did not end');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const after = await admin.request('POST', `/api/server/backup/${server.name}`, {
      body: { storage: 'local' },
    });
    expect(after.status).toBe(202);
    const task = await taskFinished<{ status: string }>(admin, acceptedTaskId(after), 60_000);
    expect(task.status).toBe('completed');
  }, 150_000);
});
