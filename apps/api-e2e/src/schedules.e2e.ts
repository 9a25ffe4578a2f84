import { startApiProcess, waitFor, type ApiStack } from '@proxdeck/testing';
import { sessionClient, type SessionClient } from './session-client';

/**
 * Recurring jobs in an installation of two API processes (each also processing jobs) and one worker process:
 * every process registers the schedule, and each period's run happens once.
 */
describe('recurring jobs across processes', () => {
  let stack: ApiStack;
  let client: SessionClient;

  beforeAll(async () => {
    stack = await startApiProcess({ env: { RUN_WORKERS: 'true', SCHEDULE_TASKS_RECONCILE: '1s' } });
    await stack.startApi();
    await stack.startWorker();
    client = sessionClient(stack.baseUrl);
    await client.login(stack.adminUsername, stack.adminPassword);
  }, 120_000);
  afterAll(async () => {
    await stack.stop();
  });

  it('runs the task reconciler once per period, whichever process picks it up', async () => {
    const status = async () => {
      const { data } = await client.api.GET('/api/celery/status');
      if (!data) throw new Error('queue health not readable');
      return data.data;
    };
    await waitFor(async () => ((await status()).worker_count === 3 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: 'three processing processes',
    });
    const runs = await waitFor(
      async () => {
        const reconcile = (await status()).schedules.find((entry) => entry.name === 'tasks.reconcile');
        return reconcile && reconcile.recent_runs.length >= 6 ? reconcile.recent_runs : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, what: 'six runs of tasks.reconcile' },
    );
    const periods = runs.map((run) => Date.parse(run.scheduled_for)).sort((a, b) => a - b);
    expect(new Set(periods).size).toBe(periods.length); // never twice for one period
    for (const period of periods) expect(period % 1000).toBe(0);
    // Consecutive periods: none skipped while three processes were ready to run it.
    expect(periods.at(-1)! - periods[0]!).toBe((periods.length - 1) * 1000);
    expect(runs.every((run) => run.status === 'ok')).toBe(true);
  });
});
