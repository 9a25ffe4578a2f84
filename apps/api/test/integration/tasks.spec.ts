import { SessionFactory, TaskFactory, UserFactory } from '../factories';
import { createTestApp, type Caller, type TestApp } from '../support/test-app';
import { taskFinished } from '../support/tasks';

interface TaskBody {
  data: {
    task_id: string;
    status: string;
    progress: number;
    result: { echo?: string } | null;
    error: string | null;
    attempts: number;
  };
}

describe('tasks on Bull with in-process workers (docs/api.md §4, §13)', () => {
  let t: TestApp;
  let admin: Caller;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'true' });
    admin = await t.admin();
  });
  afterAll(async () => {
    await t.close();
  });

  const finished = (taskId: string): Promise<TaskBody['data']> =>
    taskFinished<TaskBody['data']>(admin, taskId, 15_000);

  it('runs /api/test/simple to completion with result.echo', async () => {
    const accepted = await admin.request('POST', '/api/test/simple', {
      body: { echo: 'ping', duration_ms: 200 },
    });
    expect(accepted.status).toBe(202);
    const { data } = accepted.json<{ data: { task_id: string; status: string } }>();
    expect(data.status).toBe('queued');
    const task = await finished(data.task_id);
    expect(task).toMatchObject({ status: 'completed', progress: 100, result: { echo: 'ping' }, attempts: 1 });
  });

  it('ends /api/test/error as failed with its error text', async () => {
    const accepted = await admin.request('POST', '/api/test/error', { body: { message: 'boom on purpose' } });
    const task = await finished(accepted.json<{ data: { task_id: string } }>().data.task_id);
    expect(task.status).toBe('failed');
    expect(task.error).toBe('boom on purpose');
  });

  it("lists tasks newest first, and hides others' tasks from users without view_all", async () => {
    const accepted = await admin.request('POST', '/api/test/simple', { body: { duration_ms: 0 } });
    const taskId = accepted.json<{ data: { task_id: string } }>().data.task_id;
    const list = await admin.request('GET', '/api/tasks/status?per_page=5');
    const body = list.json<{
      data: { task_id: string }[];
      pagination: { per_page: number; total: number };
    }>();
    expect(body.data[0]?.task_id).toBe(taskId);
    expect(body.pagination.per_page).toBe(5);
    expect(body.pagination.total).toBeGreaterThanOrEqual(3);

    const viewerUser = await t.createUser('viewer');
    const viewer = await t.login(viewerUser.username, viewerUser.password);
    expect((await viewer.request('GET', `/api/tasks/${taskId}/status`)).status).toBe(200);

    const restrictedUser = await t.createUser('viewer', { permissions: [] });
    const restricted = await t.login(restrictedUser.username, restrictedUser.password);
    expect((await restricted.request('GET', `/api/tasks/${taskId}/status`)).status).toBe(404);
    const ownList = await restricted.request('GET', '/api/tasks/status');
    expect(ownList.json<{ data: unknown[] }>().data).toEqual([]);
  });

  it('reports queue health with this process as a worker', async () => {
    const health = await admin.request('GET', '/api/celery/status');
    const data = health.json<{
      data: { worker_count: number; queues: Record<string, { completed: number }> };
    }>().data;
    expect(data.worker_count).toBeGreaterThanOrEqual(1);
    expect(data.queues.system).toBeDefined();
  });

  it('refuses invalid list filters', async () => {
    const response = await admin.request('GET', '/api/tasks/status?status=bogus&per_page=500');
    expect(response.status).toBe(400);
    expect(Object.keys(response.json<{ details: { fields: object } }>().details.fields).sort()).toEqual([
      'per_page',
      'status',
    ]);
  });

  it("filters a user's tasks by status and type, and pages them", async () => {
    const owner = await UserFactory.create(t.app, { role: 'operator', permissions: [] });
    for (const status of ['completed', 'completed', 'failed', 'running'] as const) {
      await TaskFactory.create(t.app, { status, createdBy: owner.id, type: 'test.simple' });
    }
    await TaskFactory.create(t.app, { status: 'failed', createdBy: owner.id, type: 'test.error' });
    await TaskFactory.create(t.app, { status: 'failed', createdBy: null, type: 'test.error' }); // not theirs
    const session = await SessionFactory.create(t.app, owner.id);
    const list = async (query: string) => {
      const response = await t.request('GET', `/api/tasks/status?${query}`, {
        headers: { cookie: session.cookie },
      });
      return response.json<{
        data: { status: string; type: string }[];
        pagination: { total: number; pages: number };
      }>();
    };
    expect((await list('')).pagination.total).toBe(5);
    const failed = await list('status=failed');
    expect(failed.data.map((task) => task.type).sort()).toEqual(['test.error', 'test.simple']);
    expect((await list('status=failed&type=test.error')).pagination.total).toBe(1);
    const paged = await list('per_page=2&page=3');
    expect([paged.data.length, paged.pagination.pages]).toEqual([1, 3]);
  });
});
