import { openSse, startApiProcess, type ApiStack, type SseClient } from '@proxdeck/testing';
import { sessionClient, type SessionClient } from './session-client';

/**
 * One installation of two API processes and one worker process: what the worker does reaches the event
 * streams of browsers on both API processes.
 */
describe('live events across processes', () => {
  let stack: ApiStack;
  let secondUrl: string;
  let client: SessionClient;
  const streams: SseClient[] = [];

  beforeAll(async () => {
    stack = await startApiProcess({ env: { RUN_WORKERS: 'false' } });
    secondUrl = (await stack.startApi()).baseUrl;
    await stack.startWorker();
    client = sessionClient(stack.baseUrl);
    await client.login(stack.adminUsername, stack.adminPassword);
  }, 120_000);
  afterAll(async () => {
    for (const stream of streams) stream.close();
    await stack.stop();
  });

  it('delivers the task events of a job run by the worker to streams on both API processes', async () => {
    const cookie = client.cookie();
    for (const baseUrl of [stack.baseUrl, secondUrl]) {
      const stream = await openSse(`${baseUrl}/api/notifications/stream`, { cookie });
      expect(stream.status).toBe(200);
      streams.push(stream);
    }
    const { data } = await client.api.POST('/api/test/simple', { body: { echo: 'live', duration_ms: 400 } });
    const taskId = data?.data.task_id ?? '';
    for (const stream of streams) {
      const updates = await stream.waitFor(
        (s) => {
          const mine = s
            .events()
            .filter((e) => e.event === 'task' && (e.data as { task_id: string }).task_id === taskId);
          return mine.some((e) => (e.data as { status: string }).status === 'completed') ? mine : undefined;
        },
        'the task to complete, seen live',
        30_000,
      );
      const progress = updates.map((e) => (e.data as { progress: number }).progress);
      expect(progress).toEqual([...progress].sort((x, y) => x - y)); // in order
      expect(updates.map((e) => (e.data as { status: string }).status)).toContain('running');
    }
  });
});
