/**
 * Scheduled backup jobs (docs/pve-semantics.md §7.15): `/cluster/backup` CRUD with Proxmox's checks (the
 * calendar-event format of `schedule`, the vzdump selection), `/cluster/backup-info/not-backed-up`, and
 * pvescheduler running each enabled job at its time and pruning by its retention, protected backups never
 * deleted nor counted.
 */
import { PveApiError, type PveClient } from '@proxdeck/pve-client';
import type { RunningPveSimulator, SimVm } from '../src';
import { eventually, raw, startTestSim, tokenClient } from './helpers';

describe('backup jobs: /cluster/backup and pvescheduler', () => {
  let sim: RunningPveSimulator;
  let client: PveClient;
  let clock = Date.parse('2026-11-01T00:00:00Z');
  let vm: SimVm;

  beforeAll(async () => {
    sim = await startTestSim({ now: () => clock });
    client = tokenClient(sim);
    const first = sim.state.vms.find((candidate) => candidate.config.template !== '1');
    if (!first) throw new Error('the default scenario has no guest');
    vm = first;
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  const form = (params: Record<string, string>) => new URLSearchParams(params).toString();

  it('creates, reads, edits, disables and deletes jobs; next-run follows the schedule', async () => {
    clock = Date.parse('2026-12-01T02:30:00Z'); // a Tuesday
    await client.createBackupJob({
      id: 'backup-crud',
      schedule: 'sat 02:00',
      vmid: String(vm.vmid),
      storage: 'nfs-backup',
      mode: 'snapshot',
      compress: 'zstd',
      'prune-backups': 'keep-last=3,keep-daily=7',
      'notes-template': '{{guestname}} nightly',
    });
    const [job] = (await client.backupJobs()).filter((candidate) => candidate.id === 'backup-crud');
    expect(job).toMatchObject({
      id: 'backup-crud',
      type: 'vzdump',
      schedule: 'sat 02:00',
      enabled: 1,
      vmid: String(vm.vmid),
      storage: 'nfs-backup',
      'prune-backups': { 'keep-last': 3, 'keep-daily': 7 },
      'notes-template': '{{guestname}} nightly',
      'next-run': Date.parse('2026-12-05T02:00:00Z') / 1000,
    });
    expect(await client.backupJob('backup-crud')).toMatchObject({ schedule: 'sat 02:00' });

    await client.updateBackupJob('backup-crud', { schedule: 'mon..fri 22:30', enabled: 0 });
    const disabled = await client.backupJob('backup-crud');
    expect(disabled).toMatchObject({ schedule: 'mon..fri 22:30', enabled: 0 });
    expect((await client.backupJobs()).find((j) => j.id === 'backup-crud')?.['next-run']).toBeUndefined();
    await client.updateBackupJob('backup-crud', { enabled: 1, delete: 'notes-template' });
    const enabled = (await client.backupJobs()).find((j) => j.id === 'backup-crud');
    expect(enabled?.['next-run']).toBe(Date.parse('2026-12-01T22:30:00Z') / 1000);
    expect(enabled?.['notes-template']).toBeUndefined();

    // Switching to `all` needs the vmid deleted, as Proxmox's own check says.
    await expect(client.updateBackupJob('backup-crud', { all: 1 })).rejects.toMatchObject({
      status: 400,
      errors: { all: "option conflicts with option 'vmid'" },
    });
    await client.updateBackupJob('backup-crud', { all: 1, delete: 'vmid' });
    expect(await client.backupJob('backup-crud')).toMatchObject({ all: 1 });

    await expect(
      client.createBackupJob({ id: 'backup-crud', schedule: 'daily', all: 1 }),
    ).rejects.toMatchObject({
      status: 500,
      message: expect.stringContaining("Job 'backup-crud' already exists") as unknown,
    });
    await client.deleteBackupJob('backup-crud');
    expect((await client.backupJobs()).some((j) => j.id === 'backup-crud')).toBe(false);
    await expect(client.backupJob('backup-crud')).rejects.toBeInstanceOf(PveApiError);
  });

  it.each([
    ['every day', "invalid weekday 'every'"],
    ['25:00', 'hour value 25 out of range 0..23'],
    ['mon..fri 22:61', 'minute value 61 out of range 0..59'],
    ['*-13-01', 'month value 13 out of range 1..12'],
  ])('refuses the schedule %j with 400 naming schedule, as Proxmox does', async (schedule, reason) => {
    const response = await raw(sim, 'POST', '/api2/json/cluster/backup', {
      body: form({ schedule, all: '1', storage: 'local' }),
    });
    expect(response.status).toBe(400);
    expect(response.json).toMatchObject({
      errors: { schedule: `invalid format - invalid calendar event '${schedule}' - ${reason}` },
    });
  });

  it('refuses a job without schedule or selection, and conflicting selections', async () => {
    const cases: [Record<string, string>, Record<string, string>][] = [
      [{ all: '1' }, { schedule: "neither 'starttime' nor 'schedule' were set" }],
      [{ schedule: 'daily' }, { vmid: 'property is missing' }],
      [{ schedule: 'daily', vmid: '100', all: '1' }, { all: "option conflicts with option 'vmid'" }],
      [{ schedule: 'daily', vmid: '100', pool: 'web' }, { pool: "option conflicts with option 'vmid'" }],
    ];
    for (const [body, errors] of cases) {
      const response = await raw(sim, 'POST', '/api2/json/cluster/backup', { body: form(body) });
      expect({ status: response.status, json: response.json }).toMatchObject({
        status: 400,
        json: { errors },
      });
    }
    // The legacy starttime + dow become a schedule.
    await client.createBackupJob({ id: 'backup-legacy', starttime: '03:15', dow: 'sat', all: 1 });
    expect(await client.backupJob('backup-legacy')).toMatchObject({ schedule: 'sat 03:15' });
    await client.deleteBackupJob('backup-legacy');
  });

  it('lists the guests no enabled job selects', async () => {
    const guests = sim.state.vms.filter((candidate) => candidate.config.template !== '1');
    const before = await client.notBackedUp();
    expect(before.map((guest) => guest.vmid)).toEqual(
      guests.map((guest) => guest.vmid).sort((a, b) => a - b),
    );
    expect(before.find((guest) => guest.vmid === vm.vmid)).toMatchObject({
      type: 'qemu',
      name: vm.config.name,
    });

    await client.createBackupJob({ id: 'backup-one', schedule: 'daily', vmid: String(vm.vmid) });
    expect((await client.notBackedUp()).map((guest) => guest.vmid)).not.toContain(vm.vmid);
    await client.updateBackupJob('backup-one', { enabled: 0 });
    expect((await client.notBackedUp()).map((guest) => guest.vmid)).toContain(vm.vmid);

    await client.createBackupJob({ id: 'backup-rest', schedule: 'daily', exclude: String(vm.vmid) });
    expect((await client.notBackedUp()).map((guest) => guest.vmid)).toEqual([vm.vmid]);
    await client.deleteBackupJob('backup-one');
    await client.deleteBackupJob('backup-rest');
  });

  /** Runs a nightly job day after day, the clock moved to just after each run time; returns the kept dates. */
  async function nightly(id: string, firstDay: string, days: number, retention: string): Promise<string[]> {
    const storage = 'nfs-backup';
    const start = Date.parse(`${firstDay}T00:00:00Z`);
    clock = start;
    const owned = () =>
      sim.state.volumes.filter((v) => v.content === 'backup' && v.vmid === vm.vmid && v.storage === storage);
    for (const old of owned())
      if (!old.protected) sim.state.volumes.splice(sim.state.volumes.indexOf(old), 1);
    await client.createBackupJob({
      id,
      schedule: '02:00',
      vmid: String(vm.vmid),
      storage,
      mode: 'snapshot',
      compress: 'zstd',
      'prune-backups': retention,
    });
    for (let day = 0; day < days; day++) {
      const runAt = start + day * 86_400_000 + 2 * 3_600_000;
      clock = runAt - 1000;
      expect(sim.runBackupScheduler()).toEqual([]); // not before its time
      const seen = new Set(sim.state.tasks.map((t) => t.upid));
      clock = runAt + 30_000;
      // pvescheduler's own check (every minute × timeScale) starts it.
      const task = await eventually(
        () =>
          sim.state.tasks.find(
            (t) =>
              t.type === 'vzdump' && t.user === 'root@pam' && !seen.has(t.upid) && t.status === 'stopped',
          ),
        (found) => found !== undefined,
      );
      expect(task?.exitstatus).toBe('OK');
    }
    await client.deleteBackupJob(id);
    return owned()
      .sort((a, b) => b.ctime - a.ctime)
      .map((v) => `${new Date(v.ctime * 1000).toISOString().slice(0, 10)}${v.protected === true ? '!' : ''}`);
  }

  it.each([
    ['keep-last=3', '2026-11-01', 10, ['2026-11-10', '2026-11-09', '2026-11-08']],
    // Sunday 1 Nov … Saturday 21 Nov: the 2 newest days, then the newest of the 2 weeks before (ISO weeks).
    [
      'keep-daily=2,keep-weekly=2',
      '2026-11-01',
      21,
      ['2026-11-21', '2026-11-20', '2026-11-15', '2026-11-08'],
    ],
    ['keep-daily=1,keep-monthly=2', '2026-10-20', 21, ['2026-11-09', '2026-10-31']],
    ['keep-weekly=1', '2026-11-02', 14, ['2026-11-15']],
  ])(
    'runs a nightly job at 02:00 and keeps exactly what %s says',
    async (retention, firstDay, days, kept) => {
      const id = `backup-${retention.replace(/[^a-z0-9]/g, '')}`.slice(0, 40);
      const dates = await nightly(id, firstDay, days, retention);
      expect(dates).toEqual(kept);
      for (const volume of sim.state.volumes.filter((v) => v.vmid === vm.vmid && v.content === 'backup'))
        expect(volume.volid).toMatch(
          /^nfs-backup:backup\/vzdump-qemu-\d+-\d{4}_\d\d_\d\d-02_00_30\.vma\.zst$/,
        );
    },
    60_000,
  );

  it('never deletes a protected backup, and does not count it', async () => {
    clock = Date.parse('2026-09-30T12:00:00Z');
    const upid = await client.vzdump(vm.node, {
      vmid: String(vm.vmid),
      storage: 'nfs-backup',
      protected: 1,
      remove: 0,
    });
    await client.tasks.watch(upid);
    const dates = await nightly('backup-protected', '2026-10-01', 4, 'keep-last=1');
    expect(dates).toEqual(['2026-10-04', '2026-09-30!']);
  }, 60_000);

  it("runs jobs at the schedule's time on the nodes' wall clock, in their time zone", async () => {
    let seoulClock = Date.parse('2026-12-01T00:00:00Z');
    const seoul = await startTestSim({ now: () => seoulClock, timeZone: 'Asia/Seoul' });
    const seoulClient = tokenClient(seoul);
    try {
      expect(await seoulClient.nodeTime('pve1')).toEqual({
        timezone: 'Asia/Seoul',
        time: seoulClock / 1000,
        localtime: seoulClock / 1000 + 9 * 3600,
      });
      const guest = seoul.state.vms.find((candidate) => candidate.config.template !== '1');
      await seoulClient.createBackupJob({
        id: 'backup-seoul',
        schedule: '02:30',
        vmid: String(guest?.vmid),
        storage: 'local',
      });
      // 02:30 in Seoul is 17:30 UTC the day before.
      const job = await seoulClient.backupJob('backup-seoul');
      expect((await seoulClient.backupJobs()).find((j) => j.id === job.id)?.['next-run']).toBe(
        Date.parse('2026-12-01T17:30:00Z') / 1000,
      );
      seoulClock = Date.parse('2026-12-01T17:29:00Z');
      expect(seoul.runBackupScheduler()).toEqual([]);
      seoulClock = Date.parse('2026-12-01T17:30:30Z');
      expect(seoul.runBackupScheduler()).toHaveLength(1);
    } finally {
      await seoulClient.close();
      await seoul.close();
    }
  });

  it('refuses to start in a time zone it does not know', async () => {
    await expect(startTestSim({ timeZone: 'Mars/Olympus_Mons' })).rejects.toThrow('unknown time zone');
  });
});
