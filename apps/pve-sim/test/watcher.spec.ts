/** The client's task watcher against the simulator: one /cluster/tasks request per interval, many tasks. */
import type { PveClient } from '@proxdeck/pve-client';
import type { RunningPveSimulator } from '../src';
import { startTestSim, tokenClient } from './helpers';

describe('task watcher against the simulator', () => {
  let sim: RunningPveSimulator;
  let client: PveClient;
  beforeAll(async () => {
    sim = await startTestSim({
      timeScale: 0.005,
      roles: { VMOperator: ['VM.Audit', 'VM.PowerMgmt'] },
      tokens: [
        {
          id: 'root@pam!nosys',
          secret: 'nosys',
          privsep: 1,
          acl: [{ path: '/vms', roles: ['VMOperator'] }],
        },
      ],
    });
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it('follows 30 clones with one /cluster/tasks request per interval and no per-task polling', async () => {
    client = tokenClient(sim, { taskWatcher: { intervalMs: 25 } });
    const upids: string[] = [];
    for (let i = 0; i < 30; i++)
      upids.push(await client.cloneVm('pve1', 8000, { newid: 600 + i, full: true }));
    const before = sim.requestCounts();
    const started = Date.now();
    const results = await Promise.all(upids.map((u) => client.waitForTask(u, { timeoutMs: 20_000 })));
    const elapsed = Date.now() - started;
    expect(results.every((r) => r.ok)).toBe(true);
    const after = sim.requestCounts();
    const delta = (key: string) => (after[key] ?? 0) - (before[key] ?? 0);
    const polls = delta('GET /cluster/tasks');
    expect(polls).toBeGreaterThan(0);
    expect(polls).toBeLessThanOrEqual(Math.ceil(elapsed / 25) + 1);
    expect(delta('GET /nodes/{node}/tasks/{upid}/status')).toBe(0);
    expect(delta('GET /nodes/{node}/tasks/{upid}/log')).toBe(30);
  });

  it('falls back to the node task list for a token that cannot see /cluster/tasks', async () => {
    const limited = tokenClient(sim, {
      auth: { type: 'token', tokenId: 'root@pam!nosys', secret: 'nosys' },
      taskWatcher: { intervalMs: 10, clusterMissesBeforeNodeFallback: 2 },
    });
    const upid = await limited.stopVm('pve2', 101);
    const before = sim.requestCounts();
    const result = await limited.waitForTask(upid, { timeoutMs: 10_000 });
    expect(result.exitstatus).toBe('OK');
    expect(
      (sim.requestCounts()['GET /nodes/{node}/tasks'] ?? 0) - (before['GET /nodes/{node}/tasks'] ?? 0),
    ).toBeGreaterThan(0);
    await limited.close();
  });
});
