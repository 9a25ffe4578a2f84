import { waitFor } from '@proxdeck/testing';
import { ADMIN_PASSWORD, createTestApp, type TestApp } from '../support/test-app';

describe('authentication (docs/api.md §1.3, §2)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'false' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('logs in with the right password: cookie, CSRF token, user without secrets', async () => {
    const response = await t.request('POST', '/login', {
      body: { username: 'admin', password: ADMIN_PASSWORD },
    });
    expect(response.status).toBe(200);
    const setCookie = String(response.headers['set-cookie']);
    expect(setCookie).toMatch(/proxdeck_session=/);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    const body = response.json<{
      data: { user: Record<string, unknown>; csrf_token: string; expires_at: string };
    }>();
    expect(body.data.user).toMatchObject({ username: 'admin', role: 'admin' });
    expect(body.data.csrf_token.length).toBeGreaterThan(20);
    expect(response.body).not.toMatch(/password|argon2/i);
  });

  it('refuses a wrong password and an unknown user with one message', async () => {
    const wrong = await t.request('POST', '/login', {
      body: { username: 'admin', password: 'not-the-password' },
    });
    const unknown = await t.request('POST', '/login', {
      body: { username: 'nobody-here', password: 'whatever-x' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.json().error).toBe(unknown.json().error);
    expect(wrong.json().code).toBe('INVALID_CREDENTIALS');
  });

  it('names unknown and missing login fields', async () => {
    const response = await t.request('POST', '/login', { body: { username: 'admin', pasword: 'typo' } });
    expect(response.status).toBe(400);
    const fields = response.json<{ details: { fields: Record<string, string> } }>().details.fields;
    expect(Object.keys(fields).sort()).toEqual(['password', 'pasword']);
  });

  it('throttles a username after 5 failures with 429 and Retry-After, even for the right password', async () => {
    const { username, password } = await t.createUser('viewer');
    for (let attempt = 0; attempt < 5; attempt += 1) {
      expect(
        (await t.request('POST', '/login', { body: { username, password: 'wrong-password' } })).status,
      ).toBe(401);
    }
    const locked = await t.request('POST', '/login', { body: { username, password } });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(800);
    expect(locked.json().code).toBe('RATE_LIMITED');
    // Another user is not affected.
    const other = await t.createUser('viewer');
    expect((await t.request('POST', '/login', { body: other })).status).toBe(200);
  });

  it('refuses cookie-authenticated writes without the CSRF header', async () => {
    const admin = await t.admin();
    const without = await admin.request('POST', '/api/session/refresh', { csrf: false });
    expect(without.status).toBe(403);
    expect(without.json().code).toBe('CSRF_TOKEN_INVALID');
    const forged = await admin.request('POST', '/api/session/refresh', {
      headers: { 'x-csrf-token': 'forged' },
    });
    expect(forged.status).toBe(403);
    expect((await admin.request('POST', '/api/session/refresh')).status).toBe(200);
    // Reads need no CSRF header.
    expect((await admin.request('GET', '/api/current-user', { csrf: false })).status).toBe(200);
  });

  it('reports the session state and logs out', async () => {
    const anonymous = await t.request('GET', '/api/session/check');
    expect(anonymous.status).toBe(401);
    expect(anonymous.json()).toMatchObject({ success: false, details: { authenticated: false } });
    const admin = await t.admin();
    const check = await admin.request('GET', '/session/check');
    expect(check.status).toBe(200);
    expect(check.json()).toMatchObject({ data: { authenticated: true, csrf_token: admin.csrfToken } });
    const logout = await admin.request('POST', '/logout');
    expect(logout.status).toBe(200);
    expect(String(logout.headers['set-cookie'])).toMatch(/proxdeck_session=;.*Max-Age=0/);
    const after = await admin.request('GET', '/api/current-user');
    expect(after.status).toBe(401);
    expect(after.json().code).toBe('SESSION_EXPIRED');
  });

  it('redirects a browser GET /logout to the login page', async () => {
    const admin = await t.admin();
    const response = await admin.request('GET', '/logout', { headers: { accept: 'text/html' } });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/login');
    expect((await admin.request('GET', '/api/current-user')).status).toBe(401);
  });

  it('lists own sessions in the profile and ends the others on a password change', async () => {
    const { username, password } = await t.createUser('operator');
    const first = await t.login(username, password);
    const second = await t.login(username, password);
    const profile = await first.request('GET', '/api/profile');
    const sessions = profile.json<{ data: { sessions: { current: boolean }[] } }>().data.sessions;
    expect(sessions).toHaveLength(2);
    // The profile's sessions never leak into the plain user object (user objects are shared between answers).
    expect(
      Object.keys((await first.request('GET', '/api/current-user')).json<{ data: object }>().data).sort(),
    ).toEqual([
      'created_at',
      'email',
      'id',
      'is_active',
      'last_login_at',
      'name',
      'permissions',
      'role',
      'username',
    ]);
    expect(sessions.filter((session) => session.current)).toHaveLength(1);

    const weak = await first.request('POST', '/change-password', {
      body: { current_password: password, new_password: username },
    });
    expect(weak.status).toBe(400);
    expect(
      weak.json<{ details: { fields: Record<string, string> } }>().details.fields.new_password,
    ).toBeDefined();
    const badCurrent = await first.request('POST', '/change-password', {
      body: { current_password: 'not-it-at-all', new_password: 'a-new-long-password' },
    });
    expect(badCurrent.status).toBe(400);

    const changed = await first.request('POST', '/change-password', {
      body: { current_password: password, new_password: 'a-new-long-password' },
    });
    expect(changed.status).toBe(200);
    expect((await first.request('GET', '/api/current-user')).status).toBe(200);
    expect((await second.request('GET', '/api/current-user')).status).toBe(401);
    await expect(t.login(username, password)).rejects.toThrow(/401/);
    await t.login(username, 'a-new-long-password');
  });
});

describe('session idle timeout', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'false', SESSION_IDLE_TIMEOUT_S: '1', SESSION_MAX_AGE_S: '60' });
  });
  afterAll(async () => {
    await t.close();
  });

  it('expires an unused session after the configured idle time', async () => {
    const admin = await t.admin();
    expect((await admin.request('GET', '/api/current-user')).status).toBe(200);
    const expired = await waitFor(
      async () => {
        const response = await admin.request('GET', '/api/current-user');
        return response.status === 401 ? response : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 1_100, what: 'the idle session to expire' },
    );
    expect(expired.json().code).toBe('SESSION_EXPIRED');
  });

  it('is not kept alive by public requests such as session checks', async () => {
    const admin = await t.admin();
    // Polled faster than the 1 s idle timeout: if public routes refreshed the session it would never end.
    await waitFor(
      async () => {
        const response = await admin.request('GET', '/api/session/check');
        return response.status === 401 ? true : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 200, what: 'the session to expire while only public routes are used' },
    );
    expect((await admin.request('GET', '/api/current-user')).status).toBe(401);
  });
});
