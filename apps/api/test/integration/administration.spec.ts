import { randomBytes } from 'node:crypto';
import { waitFor } from '@proxdeck/testing';
import { DataSource } from 'typeorm';
import { NotificationsService } from '../../src/modules/notifications';
import { createTestApp, type Caller, type TestApp } from '../support/test-app';

interface UserBody {
  username: string;
  role: string;
  permissions: string[];
  is_active: boolean;
}

const password = () => `pw-${randomBytes(8).toString('hex')}`;

/**
 * Administration (docs/api.md §11, §1.3–1.4): users, IAM and API tokens through the API, with the escalations
 * that must fail and the sessions and tokens that must stop at once, on a second API instance too.
 */
describe('administration: users, IAM and API tokens', () => {
  let t: TestApp;
  let second: TestApp;
  let admin: Caller;
  const tag = randomBytes(2).toString('hex');

  beforeAll(async () => {
    const shared = { RUN_WORKERS: 'false', REDIS_PREFIX: `pdit-admin-${randomBytes(3).toString('hex')}` };
    t = await createTestApp(shared);
    second = await createTestApp(shared);
    admin = await t.admin();
  });
  afterAll(async () => {
    await Promise.all([t.close(), second.close()]);
  });

  const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

  async function createUser(body: Record<string, unknown>): Promise<UserBody> {
    const response = await admin.request('POST', '/api/users', { body });
    if (response.status !== 201) throw new Error(`create user: ${String(response.status)} ${response.body}`);
    return response.json<{ data: UserBody }>().data;
  }

  async function tokenFor(caller: Caller, body: Record<string, unknown> = {}): Promise<string> {
    const response = await caller.request('POST', '/api/tokens', { body: { name: 'it', ...body } });
    if (response.status !== 201) throw new Error(`create token: ${String(response.status)} ${response.body}`);
    return response.json<{ data: { secret: string } }>().data.secret;
  }

  it('creates users with the password policy, known permissions only, and no duplicates', async () => {
    const username = `Alice-${tag}`;
    const weak = await admin.request('POST', '/api/users', { body: { username, password: 'short' } });
    expect(weak.status).toBe(400);
    expect(weak.json()).toMatchObject({ details: { fields: { password: expect.any(String) as unknown } } });

    const unknown = await admin.request('POST', '/api/users', {
      body: { username, password: password(), permissions: ['view_all', 'fly', 'sudo'] },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json()).toMatchObject({
      details: { fields: { permissions: 'unknown permission(s): fly, sudo' } },
    });

    const badName = await admin.request('POST', '/api/users', {
      body: { username: 'a b', password: password() },
    });
    expect(badName.json()).toMatchObject({
      details: { fields: { username: expect.any(String) as unknown } },
    });
    const extra = await admin.request('POST', '/api/users', {
      body: { username, password: password(), is_admin: true },
    });
    expect(extra.status).toBe(400);

    const created = await admin.request('POST', '/api/users', {
      body: { username, password: password(), name: 'Alice', email: 'alice@example.com', role: 'operator' },
    });
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({
      data: {
        username: username.toLowerCase(),
        role: 'operator',
        is_active: true,
        email: 'alice@example.com',
      },
    });
    expect(created.body).not.toMatch(/argon2|password_hash|hash/i);
    const duplicate = await admin.request('POST', '/api/users', {
      body: { username: username.toUpperCase(), password: password() },
    });
    expect(duplicate.status).toBe(409);
  });

  it('lists users in pages, searchable, never with a hash; the aliases answer the same', async () => {
    for (const index of [1, 2, 3])
      await createUser({ username: `page-${tag}-${index}`, password: password() });
    const first = await admin.request('GET', `/api/users?q=page-${tag}&per_page=2`);
    expect(first.json()).toMatchObject({
      data: [{ username: `page-${tag}-1` }, { username: `page-${tag}-2` }],
      pagination: { page: 1, per_page: 2, total: 3, pages: 2 },
    });
    const alias = await admin.request('GET', `/api/admin/users?q=page-${tag}&per_page=2&page=2`);
    expect(alias.json()).toMatchObject({ data: [{ username: `page-${tag}-3` }], pagination: { total: 3 } });
    expect(first.body + alias.body).not.toMatch(/argon2|hash|session/i);
    expect((await admin.request('GET', '/api/users?active=maybe')).json()).toMatchObject({
      details: { fields: { active: expect.any(String) as unknown } },
    });

    const iam = await admin.request('GET', '/api/iam/data');
    expect(iam.json()).toMatchObject({
      data: {
        roles: { viewer: ['view_all'] },
        permissions: expect.arrayContaining([
          { name: 'admin_access', description: expect.any(String) as unknown },
        ]) as unknown,
        users: expect.arrayContaining([
          { username: `page-${tag}-1`, name: '', role: 'viewer', permissions: ['view_all'], is_active: true },
        ]) as unknown,
      },
    });
    expect((await admin.request('GET', '/api/admin/iam')).json()).toMatchObject({
      data: { roles: iam.json<{ data: { roles: unknown } }>().data.roles },
    });
    const summary = (await admin.request('GET', '/api/admin/')).json<{ data: Record<string, unknown> }>()
      .data;
    expect(summary).toMatchObject({
      users_count: expect.any(Number) as unknown,
      admins_count: expect.any(Number) as unknown,
      active_sessions: expect.any(Number) as unknown,
      servers_count: expect.any(Number) as unknown,
      recent_audit: expect.any(Array) as unknown,
    });
    const everything = iam.body + JSON.stringify(summary);
    expect(everything).not.toMatch(/argon2|postgres:\/\/|redis:\/\/|pdk_/);
  });

  it('sets permissions and roles: known names, the role preset unless kept', async () => {
    const user = await createUser({ username: `iam-${tag}`, password: password(), role: 'viewer' });
    const unknown = await admin.request('POST', `/api/iam/${user.username}/permissions`, {
      body: { permissions: ['view_all', 'root'] },
    });
    expect(unknown.json()).toMatchObject({
      details: { fields: { permissions: 'unknown permission(s): root' } },
    });
    const set = await admin.request('POST', `/api/admin/iam/${user.username}/permissions`, {
      body: { permissions: ['view_all', 'manage_backups'] },
    });
    expect(set.json()).toMatchObject({
      data: { role: 'viewer', permissions: ['view_all', 'manage_backups'] },
    });
    const kept = await admin.request('POST', `/api/iam/${user.username}/role`, {
      body: { role: 'operator', keep_permissions: true },
    });
    expect(kept.json()).toMatchObject({
      data: { role: 'operator', permissions: ['view_all', 'manage_backups'] },
    });
    const preset = await admin.request('POST', `/api/admin/iam/${user.username}/role`, {
      body: { role: 'viewer' },
    });
    expect(preset.json()).toMatchObject({ data: { role: 'viewer', permissions: ['view_all'] } });
    expect(
      (await admin.request('POST', `/api/iam/nobody-${tag}/role`, { body: { role: 'viewer' } })).status,
    ).toBe(404);
    expect(
      (await admin.request('POST', `/api/iam/${user.username}/role`, { body: { role: 'god' } })).json(),
    ).toMatchObject({ details: { fields: { role: expect.any(String) as unknown } } });
  });

  it('refuses escalations: own role or permissions, granting what one lacks, tokens wider than their creator', async () => {
    const operatorUser = await createUser({
      username: `op-${tag}`,
      password: 'operator-pass-1',
      role: 'operator',
    });
    const operator = await t.login(operatorUser.username, 'operator-pass-1');
    for (const [path, body] of [
      [`/api/iam/${operatorUser.username}/role`, { role: 'admin' }],
      [`/api/iam/${operatorUser.username}/permissions`, { permissions: ['view_all', 'admin_access'] }],
      [`/api/admin/iam/${operatorUser.username}/role`, { role: 'admin' }],
      ['/api/users', { username: `sneaky-${tag}`, password: password(), role: 'admin' }],
    ] as const) {
      const response = await operator.request('POST', path, { body });
      expect(`${path} → ${response.status}`).toBe(`${path} → 403`);
    }
    // An administrator cannot change their own role or permissions either (ask another administrator).
    expect((await admin.request('POST', '/api/iam/admin/role', { body: { role: 'viewer' } })).status).toBe(
      403,
    );
    expect(
      (await admin.request('POST', '/api/iam/admin/permissions', { body: { permissions: ['view_all'] } }))
        .status,
    ).toBe(403);
    expect((await admin.request('DELETE', '/api/users/admin')).status).toBe(403);
    expect((await admin.request('POST', '/api/users/admin/deactivate')).status).toBe(403);

    // An operator's token cannot hold admin_access, nor can a narrowed token widen itself.
    const wide = await operator.request('POST', '/api/tokens', {
      body: { name: 'wide', permissions: ['view_all', 'admin_access'] },
    });
    expect(wide.status).toBe(403);
    expect(wide.json()).toMatchObject({ details: { required: ['admin_access'] } });
    const narrow = await tokenFor(operator, { permissions: ['view_all'] });
    const widened = await t.request('POST', '/api/tokens', {
      headers: bearer(narrow),
      body: { name: 'widened', permissions: ['view_all', 'manage_servers'] },
    });
    expect(widened.status).toBe(403);
    // Without a permission list, a token's token carries the creating token's narrowing, not the owner's set.
    const child = await t.request('POST', '/api/tokens', {
      headers: bearer(narrow),
      body: { name: 'child' },
    });
    expect(child.json()).toMatchObject({ data: { permissions: ['view_all'] } });
    const childSecret = child.json<{ data: { secret: string } }>().data.secret;
    const info = await t.request('GET', '/api/debug/user-info', { headers: bearer(childSecret) });
    expect(info.json()).toMatchObject({
      data: { effective_permissions: ['view_all'], authenticated_via: 'token' },
    });

    // An administrator's token narrowed to admin_access cannot make a user with more than it holds.
    const adminOnly = await tokenFor(admin, { permissions: ['admin_access'] });
    const maker = await t.request('POST', '/api/users', {
      headers: bearer(adminOnly),
      body: { username: `maker-${tag}`, password: password(), role: 'operator' },
    });
    expect(maker.status).toBe(403);
    const viewerMade = await t.request('POST', '/api/users', {
      headers: bearer(adminOnly),
      body: { username: `made-${tag}`, password: password(), role: 'viewer', permissions: [] },
    });
    expect(viewerMade.status).toBe(201);
  });

  it('tokens: the secret once, only its hash stored, listed without secrets, Bearer without CSRF, revocable', async () => {
    const created = await admin.request('POST', '/api/tokens', {
      body: { name: `ci-${tag}`, expires_at: new Date(Date.now() + 86_400_000).toISOString() },
    });
    expect(created.status).toBe(201);
    const { secret, id } = created.json<{ data: { secret: string; id: string } }>().data;
    expect(secret).toMatch(/^pdk_[A-Za-z0-9_-]{43}$/);

    const stored = await t.app
      .get(DataSource)
      .query<Record<string, unknown>[]>('SELECT * FROM api_tokens WHERE id = $1', [id]);
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(secret);
    expect(JSON.stringify(stored)).not.toContain(secret.slice(4, 20));
    const everyToken = await t.app
      .get(DataSource)
      .query<{ row: string }[]>('SELECT row_to_json(t)::text AS row FROM api_tokens t');
    expect(everyToken.some((row) => row.row.includes(secret.slice(4)))).toBe(false);

    // Writes with a token need no CSRF header; the use is recorded with the client address.
    const write = await t.request('POST', '/api/users', {
      headers: bearer(secret),
      remoteAddress: '203.0.113.7',
      body: { username: `bytoken-${tag}`, password: password() },
    });
    expect(write.status).toBe(201);
    const listed = await admin.request('GET', '/api/tokens');
    expect(listed.body).not.toContain(secret);
    expect(listed.json<{ data: unknown[] }>().data).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          id,
          name: `ci-${tag}`,
          username: 'admin',
          last_used_ip: '203.0.113.7',
          expired: false,
        }),
      ]),
    );
    expect(
      listed
        .json<{ data: { last_used_at: string | null; id: string }[] }>()
        .data.find((token) => token.id === id)?.last_used_at,
    ).not.toBeNull();

    expect(
      (
        await admin.request('POST', '/api/tokens', {
          body: { name: 'old', expires_at: '2020-01-01T00:00:00Z' },
        })
      ).json(),
    ).toMatchObject({ details: { fields: { expires_at: 'must be in the future' } } });
    expect((await admin.request('POST', '/api/tokens', { body: { name: '' } })).json()).toMatchObject({
      details: { fields: { name: expect.any(String) as unknown } },
    });

    expect((await admin.request('DELETE', `/api/tokens/${id}`)).status).toBe(200);
    expect((await t.request('GET', '/api/current-user', { headers: bearer(secret) })).status).toBe(401);
    expect((await second.request('GET', '/api/current-user', { headers: bearer(secret) })).status).toBe(401);
    expect((await admin.request('DELETE', `/api/tokens/${id}`)).status).toBe(404);
  });

  it("lets only administrators list and revoke others' tokens", async () => {
    const viewerUser = await createUser({ username: `tv-${tag}`, password: 'viewer-pass-12' });
    const viewer = await t.login(viewerUser.username, 'viewer-pass-12');
    const secret = await tokenFor(viewer);
    const own = (await viewer.request('GET', '/api/tokens')).json<{
      data: { id: string; username: string }[];
    }>().data;
    expect(own).toHaveLength(1);
    expect(own[0]?.username).toBe(viewerUser.username);
    expect((await viewer.request('GET', '/api/tokens?all=true')).status).toBe(403);
    expect((await viewer.request('GET', '/api/tokens?user=admin')).status).toBe(403);

    const adminSecret = await tokenFor(admin);
    const adminTokenId =
      (await admin.request('GET', '/api/tokens')).json<{ data: { id: string }[] }>().data[0]?.id ?? '';
    expect((await viewer.request('DELETE', `/api/tokens/${adminTokenId}`)).status).toBe(403);
    expect((await t.request('GET', '/api/current-user', { headers: bearer(adminSecret) })).status).toBe(200);

    const all = (await admin.request('GET', `/api/tokens?user=${viewerUser.username}`)).json<{
      data: { id: string }[];
    }>().data;
    expect(all.map((token) => token.id)).toEqual(own.map((token) => token.id));
    const everyone = (await admin.request('GET', '/api/tokens?all=true')).json<{
      data: { username: string }[];
    }>().data;
    expect(everyone.some((token) => token.username === viewerUser.username)).toBe(true);
    expect((await admin.request('DELETE', `/api/tokens/${own[0]?.id ?? ''}`)).status).toBe(200);
    expect((await t.request('GET', '/api/current-user', { headers: bearer(secret) })).status).toBe(401);
  });

  it('denies a token within one second after its owner lost the permission, on a second instance too', async () => {
    const user = await createUser({ username: `lose-${tag}`, password: 'operator-pass-2', role: 'operator' });
    const owner = await t.login(user.username, 'operator-pass-2');
    const secret = await tokenFor(owner);
    const sync = () => second.request('POST', '/api/sync_servers', { headers: bearer(secret), body: {} });
    const readCreate = () => t.request('GET', '/api/debug/user-info', { headers: bearer(secret) });
    expect([200, 202, 409, 502, 503]).toContain((await sync()).status); // allowed (cached on the second instance)
    expect((await readCreate()).json()).toMatchObject({
      data: { effective_permissions: expect.arrayContaining(['manage_servers']) as unknown },
    });

    const changed = await admin.request('POST', `/api/iam/${user.username}/permissions`, {
      body: { permissions: ['view_all'] },
    });
    expect(changed.status).toBe(200);
    const started = Date.now();
    await waitFor(async () => ((await sync()).status === 403 ? true : undefined), {
      timeoutMs: 1_000,
      intervalMs: 20,
      what: 'the second instance to refuse the token',
    });
    expect(Date.now() - started).toBeLessThan(1_000);
    expect((await sync()).json()).toMatchObject({ details: { required: 'manage_servers' } });
    const local = await t.request('POST', '/api/sync_servers', { headers: bearer(secret), body: {} });
    expect(local.status).toBe(403);
  });

  it('ends sessions and stops tokens at once when a user is deactivated, reset or deleted, on both instances', async () => {
    for (const action of ['deactivate', 'reset', 'delete'] as const) {
      const user = await createUser({
        username: `end-${action}-${tag}`,
        password: 'first-pass-123',
        role: 'operator',
      });
      const session = await t.login(user.username, 'first-pass-123');
      const secret = await tokenFor(session);
      const cookie = { cookie: `proxdeck_session=${session.cookieValue}` };
      const probes = [
        () => t.request('GET', '/api/current-user', { headers: cookie }),
        () => second.request('GET', '/api/current-user', { headers: cookie }),
        () => t.request('GET', '/api/current-user', { headers: bearer(secret) }),
        () => second.request('GET', '/api/current-user', { headers: bearer(secret) }),
      ];
      for (const probe of probes) expect((await probe()).status).toBe(200); // now cached everywhere

      const done =
        action === 'deactivate'
          ? await admin.request('POST', `/api/users/${user.username}/deactivate`)
          : action === 'reset'
            ? await admin.request('POST', `/api/users/${user.username}/password`, {
                body: { new_password: 'second-pass-123' },
              })
            : await admin.request('DELETE', `/api/users/${user.username}`);
      expect(`${action} → ${done.status}`).toBe(`${action} → 200`);
      for (const [index, probe] of probes.entries()) {
        await waitFor(async () => ((await probe()).status === 401 ? true : undefined), {
          timeoutMs: 1_000,
          intervalMs: 20,
          what: `${action}: probe ${index} refused`,
        });
      }
      if (action === 'deactivate') {
        await expect(t.login(user.username, 'first-pass-123')).rejects.toThrow(/401/);
        expect((await admin.request('POST', `/api/users/${user.username}/activate`)).json()).toMatchObject({
          data: { is_active: true },
        });
        // Suspended, not revoked: the token works again; the ended session does not come back.
        expect((await probes[2]?.())?.status).toBe(200);
        expect((await probes[0]?.())?.status).toBe(401);
      }
      if (action === 'reset') {
        await expect(t.login(user.username, 'first-pass-123')).rejects.toThrow(/401/);
        await t.login(user.username, 'second-pass-123');
        expect((await probes[2]?.())?.status).toBe(401); // revoked for good
      }
      if (action === 'delete') {
        expect((await admin.request('GET', `/api/users?q=${user.username}`)).json()).toMatchObject({
          pagination: { total: 0 },
        });
        const rows = await t.app
          .get(DataSource)
          .query<unknown[]>(
            'SELECT 1 FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE u.username = $1',
            [user.username],
          );
        expect(rows).toEqual([]);
      }
    }
  });

  it('deletes a user’s own notifications and read marks with them, never a broadcast; a later one for them is dropped', async () => {
    const user = await createUser({ username: `notes-${tag}`, password: 'first-pass-123', role: 'viewer' });
    const session = await t.login(user.username, 'first-pass-123');
    const db = t.app.get(DataSource);
    const [{ id }] = await db.query<[{ id: number }]>('SELECT id FROM users WHERE username = $1', [
      user.username,
    ]);
    const notifications = t.app.get(NotificationsService);
    const raise = (recipientId: number | null, title: string) =>
      notifications.raise({ type: 'test', severity: 'info', title, message: title, recipientId });
    expect(await raise(id, `own-${tag}`)).not.toBeNull();
    const shared = await raise(null, `shared-${tag}`);
    const sharedId = shared?.id ?? 0;
    expect((await session.request('POST', `/api/notifications/${String(sharedId)}/read`)).status).toBe(200);
    const left = async () => ({
      own: (await db.query<unknown[]>('SELECT 1 FROM notifications WHERE recipient_id = $1', [id])).length,
      marks: (await db.query<unknown[]>('SELECT 1 FROM notification_states WHERE user_id = $1', [id])).length,
    });
    expect(await left()).toEqual({ own: 1, marks: 1 });

    expect((await admin.request('DELETE', `/api/users/${user.username}`)).status).toBe(200);
    expect(await left()).toEqual({ own: 0, marks: 0 });
    expect((await db.query<unknown[]>('SELECT 1 FROM notifications WHERE id = $1', [sharedId])).length).toBe(
      1,
    );
    // A task the user started, ending after the deletion, tells nobody rather than failing.
    expect(await raise(id, 'late')).toBeNull();
    // The broadcast would show in every other file's lists (the database is shared).
    await db.query('DELETE FROM notifications WHERE id = $1', [sharedId]);
  });

  it('checks reset passwords against the policy and refuses resetting one’s own', async () => {
    const user = await createUser({ username: `pol-${tag}`, password: password() });
    const weak = await admin.request('POST', `/api/users/${user.username}/password`, {
      body: { new_password: user.username },
    });
    expect(weak.json()).toMatchObject({
      details: { fields: { new_password: expect.any(String) as unknown } },
    });
    expect(
      (await admin.request('POST', '/api/users/admin/password', { body: { new_password: 'whatever-123' } }))
        .status,
    ).toBe(403);
    expect(
      (
        await admin.request('POST', `/api/users/nobody-${tag}/password`, {
          body: { new_password: 'whatever-123' },
        })
      ).status,
    ).toBe(404);
  });
});
