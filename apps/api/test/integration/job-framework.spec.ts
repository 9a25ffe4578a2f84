import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getQueueToken } from '@nestjs/bull';
import { leastPrivilegeRoles } from '@proxdeck/pve-client';
import { accessForRoles, startPveSimulator, type RunningPveSimulator } from '@proxdeck/pve-sim';
import type { Queue } from 'bull';
import { deleteRedisKeys, waitFor } from '@proxdeck/testing';
import type { Task } from '../../src/platform/queue/task.entity';
import { RedisService } from '../../src/platform/redis/redis.service';
import { announceSimulator, journal, startFixtureStack, type FixtureStack } from '../support/job-fixtures';

/** The jobs use Proxdeck's least-privilege token (README, "Least privilege on Proxmox"), never root's. */
const TOKEN = { id: 'proxdeck@pve!jobs', secret: `jobs-${randomBytes(6).toString('hex')}` };
/** The same grant without VM.Allocate on /vms. */
const TOKEN_WITHOUT_ALLOCATE = {
  id: 'proxdeck@pve!noalloc',
  secret: `noalloc-${randomBytes(6).toString('hex')}`,
};
const ROLES = leastPrivilegeRoles('9.2');

/**
 * The job framework of platform/queue, driven with its own fixture jobs (not the application's): steps that
 * a retry after a crash skips, Proxmox task steps, the resource governor across two workers, the task
 * reconciler and the recurring jobs. Each "worker" is a full queue stack with its own Redis and Postgres
 * connections; several share the queues through one key prefix, as processes of one installation do.
 */
describe('the job framework (fixture jobs)', () => {
  let simulator: RunningPveSimulator;
  const stacks: FixtureStack[] = [];
  const prefixes: string[] = [];

  beforeAll(async () => {
    simulator = await startPveSimulator({
      port: 0,
      protocol: 'https',
      certDir: mkdtempSync(join(tmpdir(), 'proxdeck-it-sim-')),
      timeScale: 0.2, // a VM create takes 200 ms, a flock wait 2 s
      rootPassword: randomBytes(12).toString('hex'),
      ...withoutAllocate(
        accessForRoles(ROLES, { userid: 'proxdeck@pve', password: randomBytes(12).toString('hex') }, TOKEN),
      ),
    });
  });
  afterAll(async () => {
    await Promise.all(stacks.map((stack) => stack.close()));
    await simulator.close();
    for (const prefix of prefixes) await deleteRedisKeys(prefix);
  });

  /** Stacks sharing one installation's Redis prefix. */
  async function installation(
    labels: string[],
    env: Record<string, string> = {},
    token = TOKEN,
  ): Promise<FixtureStack[]> {
    const prefix = `pdit-jobs-${randomBytes(3).toString('hex')}`;
    prefixes.push(prefix);
    const started: FixtureStack[] = [];
    for (const label of labels) {
      const stack = await startFixtureStack(label, {
        REDIS_PREFIX: prefix,
        QUEUE_LOCK_DURATION_MS: '1000',
        QUEUE_STALLED_INTERVAL_MS: '300',
        PVE_TASK_POLL_MS: '100',
        PVE_LOCK_RETRY_DELAY_MS: '100',
        WORKER_CONCURRENCY: '1',
        ...env,
      });
      announceSimulator(stack.config, simulator, token);
      stacks.push(stack);
      started.push(stack);
    }
    return started;
  }

  async function finished(stack: FixtureStack, taskId: string, timeoutMs = 20_000): Promise<Task> {
    return waitFor(
      async () => {
        const task = await stack.store.find(taskId);
        return task && ['completed', 'failed', 'partial'].includes(task.status) ? task : undefined;
      },
      { timeoutMs, intervalMs: 50, what: `task ${taskId} to finish` },
    );
  }

  it('resumes a job killed after step two at step three, without repeating steps one and two', async () => {
    const [a, b] = await installation(['A', 'B']);
    if (!a || !b) throw new Error('stacks missing');
    let reachStepThree: () => void = () => undefined;
    const stepThreeReached = new Promise<void>((resolve) => {
      reachStepThree = resolve;
    });
    journal.beforeStep = (key, step, attempt) => {
      if (key !== 'killed' || step !== 'three' || attempt !== 1) return Promise.resolve();
      reachStepThree();
      return new Promise<void>(() => undefined); // the worker dies here, before step three does anything
    };
    await a.startProcessing();
    const task = await a.jobs.enqueue('fixture.three-steps', { key: 'killed' }, { createdBy: null });
    await stepThreeReached;
    await a.crash();
    await b.startProcessing();

    const done = await finished(b, task.id);
    expect(done.status).toBe('completed');
    expect(done.attempts).toBe(2);
    expect(done.result).toEqual({ worker: 'B', attempt: 2 });
    expect(journal.entries.filter((entry) => entry.startsWith('killed:'))).toEqual([
      'killed:one:try1:A',
      'killed:two:try1:A',
      'killed:three:try2:B',
    ]);
    expect(done.steps.map((step) => [step.name, step.output])).toEqual([
      ['one', 'one done on try 1'],
      ['two', 'two done on try 1'],
      ['three', 'three done on try 2'],
    ]);
    journal.beforeStep = () => Promise.resolve();
  });

  it('never runs more than TASK_CONCURRENCY_PER_NODE Proxmox operations on a node across two workers', async () => {
    const [a, b] = await installation(['A', 'B'], { TASK_CONCURRENCY_PER_NODE: '2' });
    if (!a || !b) throw new Error('stacks missing');
    await Promise.all([a.startProcessing(), b.startProcessing()]);
    simulator.resetTaskPeaks();
    // One job per worker (WORKER_CONCURRENCY 1), each wanting four creates at once on pve1.
    const tasks = await Promise.all(
      [
        ['7101', '7102', '7103', '7104'],
        ['7105', '7106', '7107', '7108'],
      ].map((items) => a.jobs.enqueue('fixture.pve-create', { node: 'pve1' }, { createdBy: null, items })),
    );
    const done = await Promise.all(tasks.map((task) => finished(a, task.id, 30_000)));

    expect(done.map((task) => task.status)).toEqual(['completed', 'completed']);
    expect(new Set(done.map((task) => task.result?.worker))).toEqual(new Set(['A', 'B']));
    for (const item of done.flatMap((task) => task.items)) {
      expect(item).toMatchObject({ status: 'completed', progress: 100 });
      expect(item.pve_upids).toHaveLength(1);
      expect(item.pve_upids[0]).toMatch(/^UPID:pve1:.*:qmcreate:\d+:proxdeck@pve!jobs:$/);
    }
    expect(simulator.taskConcurrency().peak.pve1).toBe(2);
  });

  it("fails an item with Proxmox's own text when its task fails, and retries lock errors with backoff", async () => {
    const [a] = await installation(['A']);
    if (!a) throw new Error('stack missing');
    await a.startProcessing();

    simulator.setFaults({ failTasks: { qmcreate: 'unable to create VM 7201 - injected failure' } });
    const failing = await a.jobs.enqueue(
      'fixture.pve-create',
      { node: 'pve1' },
      { createdBy: null, items: ['7201'] },
    );
    const failed = await finished(a, failing.id);
    expect(failed.status).toBe('failed');
    expect(failed.items[0]?.error).toBe(
      'Proxmox task qmcreate 7201 on pve1 failed: unable to create VM 7201 - injected failure',
    );
    expect(failed.items[0]?.pve_upids).toHaveLength(1);

    simulator.setFaults({ lockTimeoutVmids: [7301] });
    const locked = await a.jobs.enqueue(
      'fixture.pve-create',
      { node: 'pve1' },
      { createdBy: null, items: ['7301'] },
    );
    await waitFor(
      async () =>
        ((await a.store.find(locked.id))?.items[0]?.step ?? '').includes('locked; try 2') || undefined,
      { timeoutMs: 15_000, intervalMs: 50, what: 'the create to be retried after a lock timeout' },
    );
    simulator.setFaults({});
    const done = await finished(a, locked.id);
    expect(done.status).toBe('completed');
    expect(done.items[0]?.pve_upids.length).toBeGreaterThanOrEqual(2);
    expect(simulator.state.vms.some((vm) => vm.vmid === 7301)).toBe(true);
  });

  it('fails an item with the privilege Proxmox refused, when the token lacks it', async () => {
    const [a] = await installation(['A'], {}, TOKEN_WITHOUT_ALLOCATE);
    if (!a) throw new Error('stack missing');
    await a.startProcessing();
    const task = await a.jobs.enqueue(
      'fixture.pve-create',
      { node: 'pve1' },
      { createdBy: null, items: ['7401'] },
    );
    const failed = await finished(a, task.id);
    expect(failed.status).toBe('failed');
    expect(failed.items[0]?.error).toBe(
      'Proxmox refused: the configured credentials lack VM.Allocate on /vms/7401 (README, "Least privilege on Proxmox")',
    );
    expect(simulator.state.vms.some((vm) => vm.vmid === 7401)).toBe(false);
  });

  it('starts nothing when a Proxmox step finds its effect already in place', async () => {
    const [a] = await installation(['A']);
    if (!a) throw new Error('stack missing');
    await a.startProcessing();
    const first = await finished(
      a,
      (await a.jobs.enqueue('fixture.pve-create', { node: 'pve1' }, { createdBy: null, items: ['7501'] })).id,
    );
    expect(first.items[0]?.pve_upids).toHaveLength(1);
    const requests = () => simulator.requestCounts()['POST /nodes/{node}/qemu'] ?? 0;
    const before = requests();
    const again = await finished(
      a,
      (await a.jobs.enqueue('fixture.pve-create', { node: 'pve1' }, { createdBy: null, items: ['7501'] })).id,
    );
    expect(again.status).toBe('completed');
    expect(again.items[0]?.pve_upids).toEqual([]);
    expect(again.items[0]?.steps?.find((step) => step.name === 'outcome')?.output).toEqual({ upid: null });
    expect(requests()).toBe(before);
  });

  it('frees the slots of a worker that died once its leases run out', async () => {
    const [a] = await installation(['A'], { TASK_CONCURRENCY_PER_NODE: '2' });
    if (!a) throw new Error('stack missing');
    // Two leases of a dead worker fill node "pve-dead": never renewed, they expire 800 ms from now.
    const redis = a.app.get(RedisService);
    const key = redis.key('governor', 'node', 'pve-dead');
    const [seconds, micros] = await redis.client.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    await redis.client.zadd(key, now + 800, 'dead-1', now + 800, 'dead-2');

    const waits: string[] = [];
    const started = Date.now();
    const lease = await a.governor.acquire({ node: 'pve-dead' }, (reason) => {
      waits.push(reason);
      return Promise.resolve();
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(600);
    expect(waits).toEqual(['waiting for a free slot on node pve-dead']);
    expect(await a.governor.inUse('node', 'pve-dead')).toBe(1);
    await lease.release();
    expect(await a.governor.inUse('node', 'pve-dead')).toBe(0);
  });

  it('enqueues again a task whose Bull job was lost, and fails one whose job type is gone', async () => {
    const [a] = await installation(['A']);
    if (!a) throw new Error('stack missing');
    const lost = await a.jobs.enqueue('fixture.three-steps', { key: 'lost' }, { createdBy: null });
    await (await a.jobs.findJob(lost))?.remove();
    expect(await a.jobs.findJob(lost)).toBeNull();
    const orphan = a.store.repository.create({
      id: randomUUID(),
      type: 'fixture.retired',
      status: 'queued',
      payload: {},
      items: [],
      steps: [],
      createdBy: null,
    });
    await a.store.insert(orphan);

    const report = await a.maintenance.reconcileOlderThan(new Date(Date.now() + 60_000));
    // The database is shared with the other test files: count at least this test's two tasks.
    expect(report.requeued).toBeGreaterThanOrEqual(1);
    expect(report.finished).toBeGreaterThanOrEqual(1);
    expect(await a.jobs.findJob(lost)).not.toBeNull();
    expect(await a.store.find(orphan.id)).toMatchObject({
      status: 'failed',
      error: 'No job type "fixture.retired" in this version of Proxdeck',
    });

    await a.startProcessing();
    expect((await finished(a, lost.id)).status).toBe('completed');
    // A second pass finds nothing to do.
    expect(await a.maintenance.reconcileOlderThan(new Date(Date.now() + 60_000))).toEqual({
      checked: 0,
      requeued: 0,
      finished: 0,
    });
  });

  it('runs a recurring job once per period however many processes register and process it', async () => {
    const three = await installation(['A', 'B', 'C']);
    await Promise.all(three.map((stack) => stack.startProcessing()));
    const [a] = three;
    if (!a) throw new Error('stack missing');
    const ticks = async () =>
      (await a.scheduler.status()).find((entry) => entry.name === 'fixture.tick')?.recent_runs ?? [];
    const runs = await waitFor(async () => ((await ticks()).length >= 5 ? ticks() : undefined), {
      timeoutMs: 15_000,
      intervalMs: 100,
      what: 'five runs of fixture.tick',
    });
    const periods = runs.map((run) => run.scheduled_for);
    expect(new Set(periods).size).toBe(periods.length);
    for (const period of periods) expect(Date.parse(period) % 400).toBe(0);
    expect(runs.every((run) => run.status === 'ok')).toBe(true);
    const status = await a.scheduler.status();
    expect(status.find((entry) => entry.name === 'fixture.tick')?.schedule).toBe('every 400 ms');
    expect(status.map((entry) => entry.name).sort()).toEqual([
      'fixture.tick',
      'tasks.prune',
      'tasks.reconcile',
    ]);
  });

  it('prunes finished tasks older than the retention, and only those', async () => {
    const [a] = await installation(['A'], { TASK_RETENTION_DAYS: '7' });
    if (!a) throw new Error('stack missing');
    const aged = async (status: Task['status'], finishedDaysAgo: number | null): Promise<string> => {
      const task = await a.jobs.enqueue(
        'fixture.three-steps',
        { key: `prune-${status}` },
        { createdBy: null },
      );
      await (await a.jobs.findJob(task))?.remove();
      await a.store.repository.update(
        { id: task.id },
        {
          status,
          finishedAt: finishedDaysAgo === null ? null : new Date(Date.now() - finishedDaysAgo * 86_400_000),
        },
      );
      return task.id;
    };
    const old = await aged('completed', 8);
    const recent = await aged('failed', 6);
    const unfinished = await aged('running', null);
    expect(await a.maintenance.prune()).toEqual({ deleted: 1 });
    expect(await a.store.find(old)).toBeNull();
    expect(await a.store.find(recent)).not.toBeNull();
    expect(await a.store.find(unfinished)).not.toBeNull();
  });

  it('replaces the repeat of a recurring job whose setting changed', async () => {
    const prefix = `pdit-jobs-${randomBytes(3).toString('hex')}`;
    prefixes.push(prefix);
    const before = await startFixtureStack('old', { REDIS_PREFIX: prefix, SCHEDULE_TASKS_PRUNE: '1h' });
    stacks.push(before);
    await before.scheduler.register();
    const after = await startFixtureStack('new', { REDIS_PREFIX: prefix, SCHEDULE_TASKS_PRUNE: '2h' });
    stacks.push(after);
    await after.scheduler.register();
    const prune = (await after.scheduler.status()).find((entry) => entry.name === 'tasks.prune');
    expect(prune?.schedule).toBe('every 7200000 ms');
    const repeats = await after.app
      .get<Queue>(getQueueToken('scheduled'), { strict: false })
      .getRepeatableJobs();
    expect(repeats.filter((repeat) => repeat.name === 'tasks.prune').map((repeat) => repeat.every)).toEqual([
      7_200_000,
    ]);
  });
});

/** Adds TOKEN_WITHOUT_ALLOCATE: the least-privilege ACL, its VM role without VM.Allocate. */
function withoutAllocate(access: ReturnType<typeof accessForRoles>): ReturnType<typeof accessForRoles> {
  const vm = ROLES.find((r) => r.path === '/vms');
  if (!vm) throw new Error('no /vms role');
  return {
    roles: { ...access.roles, NoAllocateVM: vm.privs.filter((p) => p !== 'VM.Allocate') },
    users: access.users ?? [],
    tokens: [
      ...(access.tokens ?? []),
      {
        ...TOKEN_WITHOUT_ALLOCATE,
        privsep: 1,
        acl: ROLES.map((r) => ({
          path: r.path,
          roles: [r.path === '/vms' ? 'NoAllocateVM' : r.roleid],
          propagate: r.propagate,
        })),
      },
    ],
  };
}
