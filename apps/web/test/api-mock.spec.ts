import { api, setCsrfToken } from '../src/lib/api';
import { accepted, compileRoute, fail, mockApi, ok, type Handlers, type PathParams } from './api-mock';
import { makeProfile, makeTask } from './fixtures';

afterEach(() => {
  setCsrfToken(null);
});

describe('the API mock', () => {
  it('matches path parameters and hands them, decoded, to the handler', async () => {
    mockApi({
      'GET /api/tasks/{task_id}/status': ({ params }) => ok(makeTask({ task_id: params.task_id })),
    });

    const plain = await api.GET('/api/tasks/{task_id}/status', { params: { path: { task_id: 'abc' } } });
    const encoded = await api.GET('/api/tasks/{task_id}/status', {
      params: { path: { task_id: 'a b/c' } },
    });

    expect(plain.response.status).toBe(200);
    expect(plain.data?.data.task_id).toBe('abc');
    expect(encoded.data?.data.task_id).toBe('a b/c');
  });

  it('answers 404 in the error envelope when no handler has the method and path', async () => {
    mockApi({ 'POST /logout': () => ok(null) });

    const unknown = await api.GET('/api/tasks/config');
    const otherMethod = await api.GET('/logout');

    expect(unknown.response.status).toBe(404);
    expect(unknown.error).toEqual({
      success: false,
      code: 'NOT_FOUND',
      error: 'No mock for GET /api/tasks/config',
    });
    expect(otherMethod.response.status).toBe(404);
  });

  it('records every request: method, path, route, parameters, query, body, headers, credentials', async () => {
    const mock = mockApi({
      'POST /login': ({ body }) =>
        body?.password === 'right-password'
          ? ok({ user: makeProfile(), csrf_token: 'token-1', expires_at: '2026-11-26T12:00:00.000Z' })
          : fail(401, 'INVALID_CREDENTIALS', 'Invalid username or password'),
      'GET /api/tasks/status': () => ok([], { pagination: { page: 2, pages: 2, per_page: 10, total: 11 } }),
      'GET /api/tasks/{task_id}/status': ({ params }) => ok(makeTask({ task_id: params.task_id })),
    });
    setCsrfToken('csrf-1');

    const wrong = await api.POST('/login', { body: { username: 'kim', password: 'nope' } });
    const right = await api.POST('/login', { body: { username: 'kim', password: 'right-password' } });
    const list = await api.GET('/api/tasks/status', { params: { query: { status: 'failed' } } });
    await api.GET('/api/tasks/{task_id}/status', { params: { path: { task_id: 't-1' } } });
    await api.GET('/api/tasks/{task_id}/status', { params: { path: { task_id: 't-2' } } });
    await api.GET('/api/profile');

    expect(wrong.response.status).toBe(401);
    expect(right.data?.data.csrf_token).toBe('token-1');
    expect(list.data?.pagination.total).toBe(11);
    expect(mock.requests.map((r) => `${r.method} ${r.path} ${r.route ?? '(none)'}`)).toEqual([
      'POST /login POST /login',
      'POST /login POST /login',
      'GET /api/tasks/status GET /api/tasks/status',
      'GET /api/tasks/t-1/status GET /api/tasks/{task_id}/status',
      'GET /api/tasks/t-2/status GET /api/tasks/{task_id}/status',
      'GET /api/profile (none)',
    ]);
    const [login] = mock.calls('POST /login');
    expect(login?.body).toEqual({ username: 'kim', password: 'nope' });
    expect(login?.headers.get('X-CSRF-Token')).toBe('csrf-1');
    expect(login?.credentials).toBe('include');
    expect(mock.calls('GET /api/tasks/status')[0]?.query.get('status')).toBe('failed');
    expect(mock.calls('GET /api/tasks/{task_id}/status').map((r) => r.params)).toEqual([
      { task_id: 't-1' },
      { task_id: 't-2' },
    ]);
    expect(mock.calls('GET /api/profile').map((r) => r.route)).toEqual([null]);
  });

  it('replaces a handler with on(), and answers a queued task with 202', async () => {
    const mock = mockApi({ 'POST /api/test/simple': () => fail(403, 'FORBIDDEN', 'Requires admin_access') });
    mock.on('POST /api/test/simple', () =>
      accepted({ status: 'queued', task_id: 't-9' }, { message: 'Task queued' }),
    );

    const queued = await api.POST('/api/test/simple', { body: { duration_ms: 10, echo: 'hi' } });

    expect(queued.response.status).toBe(202);
    expect(queued.data).toEqual({
      success: true,
      data: { status: 'queued', task_id: 't-9' },
      message: 'Task queued',
    });
  });
});

describe('route patterns', () => {
  it('match the method and each path segment, a parameter taking exactly one segment', () => {
    const pattern = compileRoute('GET /api/servers/{server_id}/disks/{disk}');

    expect(pattern.match('GET', '/api/servers/7/disks/scsi0')).toEqual({ server_id: '7', disk: 'scsi0' });
    expect(pattern.match('POST', '/api/servers/7/disks/scsi0')).toBeNull();
    expect(pattern.match('GET', '/api/servers/7/disks')).toBeNull();
    expect(pattern.match('GET', '/api/servers/7/8/disks/scsi0')).toBeNull();
    expect(compileRoute('GET /api/health').match('GET', '/api/health/ready')).toBeNull();
    expect(compileRoute('GET /api/health.json').match('GET', '/api/healthXjson')).toBeNull();
  });
});

/**
 * Compile-time checks: tsc (the web typecheck) fails if any line marked @ts-expect-error compiles, i.e. if
 * the mock stopped catching the mistake. Never called.
 */
function _typeChecks(): [PathParams<'GET /api/tasks/{task_id}/status'>, Handlers[]] {
  // @ts-expect-error -- the route's parameter is `task_id`, not `id`
  const params: PathParams<'GET /api/tasks/{task_id}/status'> = { id: 'abc' };
  const handlers: Handlers[] = [
    {
      // @ts-expect-error -- a path the document does not have
      'GET /api/tasks/{taskid}/status': () => fail(404, 'NOT_FOUND', 'typo'),
    },
    {
      // @ts-expect-error -- a method the path does not have
      'DELETE /api/profile': () => ok(null),
    },
    // @ts-expect-error -- `id` is a number in ProfileDto
    { 'GET /api/profile': () => ok({ ...makeProfile(), id: 'one' }) },
    // @ts-expect-error -- a status ReadinessDto does not have
    { 'GET /api/health/ready': () => ok({ status: 'fine', checks: {} }) },
    // @ts-expect-error -- the list envelope requires `pagination`
    { 'GET /api/tasks/status': () => ok([makeTask()]) },
    // @ts-expect-error -- the queued-task envelope requires `message`
    { 'POST /api/test/simple': () => accepted({ status: 'queued', task_id: 't' }) },
    // @ts-expect-error -- 503 is not a documented status of the profile
    { 'GET /api/profile': ({ reply }) => reply(503, { success: false }) },
  ];
  return [params, handlers];
}
