import { createTestApp, type TestApp } from '../support/test-app';

describe('error envelopes (api.md §1.1, §1.2)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'false' });
  });
  afterAll(async () => {
    await t.close();
  });

  const envelope = {
    success: false,
    error: expect.any(String) as unknown,
    code: expect.any(String) as unknown,
    request_id: expect.any(String) as unknown,
  };

  it('400 names the invalid fields', async () => {
    const admin = await t.admin();
    const response = await admin.request('POST', '/api/test/simple', {
      body: { duration_ms: -5, colour: 'red' },
    });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ ...envelope, code: 'VALIDATION_FAILED' });
    expect(Object.keys(response.json<{ details: { fields: object } }>().details.fields).sort()).toEqual([
      'colour',
      'duration_ms',
    ]);
  });

  it('400 for malformed JSON, never 500', async () => {
    const response = await t.request('POST', '/login', {
      payload: '{"username": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(400);
    expect(response.json()).toMatchObject({ ...envelope, code: 'BAD_REQUEST' });
  });

  it('401 without credentials', async () => {
    const response = await t.request('GET', '/api/current-user');
    expect(response.status).toBe(401);
    expect(response.json()).toMatchObject({ ...envelope, code: 'UNAUTHENTICATED' });
  });

  it('401 for an unknown bearer token', async () => {
    const response = await t.request('GET', '/api/current-user', {
      headers: { authorization: 'Bearer pdk_nope' },
    });
    expect(response.status).toBe(401);
  });

  it('403 names the missing permission', async () => {
    const viewer = await t.createUser('viewer');
    const caller = await t.login(viewer.username, viewer.password);
    const response = await caller.request('POST', '/api/test/simple', { body: {} });
    expect(response.status).toBe(403);
    expect(response.json()).toMatchObject({
      ...envelope,
      code: 'FORBIDDEN',
      details: { required: 'admin_access' },
    });
  });

  it('404 for unknown routes and unknown tasks', async () => {
    const route = await t.request('GET', '/api/no-such-thing');
    expect(route.status).toBe(404);
    expect(route.json()).toMatchObject({ ...envelope, code: 'NOT_FOUND' });
    const admin = await t.admin();
    const task = await admin.request('GET', '/api/tasks/5b0f6a52-3f7b-4a43-9d0e-000000000000/status');
    expect(task.status).toBe(404);
    expect(task.json()).toMatchObject({ ...envelope, code: 'NOT_FOUND' });
  });

  it('413 for a body over 1 MiB', async () => {
    const response = await t.request('POST', '/login', {
      payload: JSON.stringify({ username: 'admin', password: 'x'.repeat(1024 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    expect(response.status).toBe(413);
    expect(response.json()).toMatchObject({ ...envelope, code: 'PAYLOAD_TOO_LARGE' });
  });

  it('echoes a request id header, taking a sane one from the caller', async () => {
    const response = await t.request('GET', '/api/health', { headers: { 'x-request-id': 'trace-123' } });
    expect(response.headers['x-request-id']).toBe('trace-123');
  });
});
