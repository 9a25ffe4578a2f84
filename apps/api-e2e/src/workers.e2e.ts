import { startApiProcess, waitFor, type ApiStack, type ManagedProcess } from '@proxdeck/testing';
import { sessionClient, type SessionClient } from './session-client';

/**
 * The API without in-process workers, and jobs processed by separate worker processes (worker.ts),
 * including workers that die in the middle of a job.
 */
describe('tasks processed by a separate worker process', () => {
  let stack: ApiStack;
  let client: SessionClient;

  beforeAll(async () => {
    stack = await startApiProcess({
      env: { RUN_WORKERS: 'false', QUEUE_LOCK_DURATION_MS: '1000', QUEUE_STALLED_INTERVAL_MS: '300' },
    });
    client = sessionClient(stack.baseUrl);
    await client.login(stack.adminUsername, stack.adminPassword);
  });
  afterAll(async () => {
    await stack.stop();
  });

  async function task(taskId: string) {
    const { data } = await client.api.GET('/api/tasks/{task_id}/status', {
      params: { path: { task_id: taskId } },
    });
    if (!data) throw new Error(`task ${taskId} not readable`);
    return data.data;
  }

  async function until(
    taskId: string,
    predicate: (status: string, attempts: number) => boolean,
    what: string,
  ) {
    return waitFor(
      async () => {
        const current = await task(taskId);
        return predicate(current.status, current.attempts) ? current : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 100, what },
    );
  }

  async function startSimple(durationMs: number): Promise<string> {
    const { data } = await client.api.POST('/api/test/simple', {
      body: { echo: 'from-worker', duration_ms: durationMs },
    });
    if (!data) throw new Error('could not start the test task');
    return data.data.task_id;
  }

  it('stays queued without a worker, then completes when a worker process starts', async () => {
    const taskId = await startSimple(100);
    expect((await task(taskId)).status).toBe('queued');
    const worker = await stack.startWorker();
    const done = await until(taskId, (status) => status === 'completed', 'completion by the worker process');
    expect(done.result).toEqual({
      echo: 'from-worker',
      attempt: 1,
      steps: { 'step-1': 1, 'step-2': 1, 'step-3': 1, 'step-4': 1 },
    });

    const { data } = await client.api.GET('/api/celery/status');
    expect(data?.data.workers.map((entry) => entry.pid)).toContain(worker.child.pid);
    await worker.stop();
  });

  it('retries a job whose worker was killed mid-run on another worker, resuming after its finished steps', async () => {
    const first = await stack.startWorker();
    const taskId = await startSimple(4_000);
    // Killed once two of its four recorded steps are done (progress 50).
    await waitFor(
      async () => {
        const current = await task(taskId);
        return current.status === 'running' && current.progress >= 50 ? current : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 50, what: 'the first worker to finish two steps' },
    );
    await first.kill();

    const second = await stack.startWorker();
    const done = await until(taskId, (status) => status === 'completed', 'the retry on the second worker');
    expect(done.attempts).toBe(2);
    // Steps one and two ran on the first try only; the second try resumed at the first unfinished step.
    expect(done.result).toMatchObject({
      echo: 'from-worker',
      attempt: 2,
      steps: { 'step-1': 1, 'step-2': 1, 'step-4': 2 },
    });
    await second.stop();
  });

  it('fails clearly, never stuck in running, when workers keep dying under a job', async () => {
    const workers: ManagedProcess[] = [await stack.startWorker()];
    const taskId = await startSimple(30_000);
    await until(taskId, (status, attempts) => status === 'running' && attempts === 1, 'the first try');
    await workers[0]?.kill();
    workers.push(await stack.startWorker());
    await until(taskId, (status, attempts) => status === 'running' && attempts === 2, 'the second try');
    await workers[1]?.kill();
    workers.push(await stack.startWorker());

    const failed = await until(taskId, (status) => status === 'failed', 'the task to be failed');
    expect(failed.error).toMatch(/worker running this task stopped/);
    expect(failed.finished_at).not.toBeNull();
    await Promise.all(workers.map((worker) => worker.stop()));
  });
});
