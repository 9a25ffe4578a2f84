import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../support/test-app';

describe('error envelopes (docs/api.md §1.1, §1.2)', () => {
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

  describe('hostile input is a 4xx with the envelope, never a 500', () => {
    it('answers a task id that is not a UUID with 404', async () => {
      const admin = await t.admin();
      for (const id of ['not-a-uuid', "1' OR '1'='1", 'x'.repeat(90)]) {
        const response = await admin.request('GET', `/api/tasks/${encodeURIComponent(id)}/status`);
        expect([id, response.status]).toEqual([id, 404]);
        expect(response.json()).toMatchObject({ ...envelope, code: 'NOT_FOUND' });
      }
    });

    it('answers page numbers out of range with 400 naming the field', async () => {
      const admin = await t.admin();
      for (const [query, field] of [
        ['page=0', 'page'],
        ['page=-3', 'page'],
        ['page=1e30', 'page'],
        ['page=100001', 'page'],
        ['page=abc', 'page'],
        ['per_page=0', 'per_page'],
        ['per_page=201', 'per_page'],
      ] as const) {
        const response = await admin.request('GET', `/api/tasks/status?${query}`);
        expect([query, response.status]).toEqual([query, 400]);
        expect(Object.keys(response.json<{ details: { fields: object } }>().details.fields)).toEqual([field]);
      }
    });

    it('answers NUL characters and lone surrogates in a query string with 400', async () => {
      const admin = await t.admin();
      for (const value of ['%00', '%ED%A0%80']) {
        const response = await admin.request('GET', `/api/tasks/status?status=completed${value}`);
        expect([value, response.status]).toEqual([value, 400]);
        expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
      }
    });

    it('answers a JSON body nested too deep, or with NUL characters, with 400', async () => {
      const admin = await t.admin();
      const deep = `${'{"echo":'.repeat(40)}"x"${'}'.repeat(40)}`;
      const nested = await admin.request('POST', '/api/test/simple', {
        payload: deep,
        headers: { 'content-type': 'application/json' },
      });
      expect(nested.status).toBe(400);
      const nul = await admin.request('POST', '/api/test/simple', { body: { echo: 'a\u0000b' } });
      expect(nul.status).toBe(400);
      expect(nul.json()).toMatchObject({ details: { fields: { echo: 'must not contain NUL characters' } } });
    });

    it('tells browsers and proxies not to store answers with CSRF tokens or personal data', async () => {
      const login = await t.request('POST', '/login', {
        body: { username: 'admin', password: ADMIN_PASSWORD },
      });
      expect(login.headers['cache-control']).toBe('no-store');
      const admin = await t.admin();
      for (const url of ['/api/current-user', '/api/profile', '/api/session/check']) {
        expect([url, (await admin.request('GET', url)).headers['cache-control']]).toEqual([url, 'no-store']);
      }
    });
  });
});
