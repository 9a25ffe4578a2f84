import { createTestDatabase, type TestDatabase } from '@proxdeck/testing';
import { createTestApp, type Caller, type TestApp } from '../support/test-app';

/**
 * The last administrator (an active user with role admin holding admin_access) can be neither deleted,
 * deactivated nor demoted, by role or by permissions. A database of its own, so that it holds one.
 */
describe('administration: the last administrator', () => {
  let database: TestDatabase;
  let t: TestApp;
  let helper: Caller;

  beforeAll(async () => {
    database = await createTestDatabase('proxdeck_it_last_admin');
    t = await createTestApp({ RUN_WORKERS: 'false', DATABASE_URL: database.url });
    const admin = await t.admin();
    // Someone who may administer without counting as an administrator (an operator granted admin_access).
    const created = await admin.request('POST', '/api/users', {
      body: {
        username: 'helper',
        password: 'helper-pass-1',
        role: 'operator',
        permissions: ['view_all', 'admin_access'],
      },
    });
    expect(created.status).toBe(201);
    helper = await t.login('helper', 'helper-pass-1');
  });
  afterAll(async () => {
    await t.close();
    await database.drop();
  });

  it('refuses to delete, deactivate or demote the only administrator', async () => {
    expect((await helper.request('GET', '/api/admin')).json()).toMatchObject({ data: { admins_count: 1 } });
    const attempts = [
      ['DELETE', '/api/users/admin', undefined],
      ['POST', '/api/users/admin/deactivate', undefined],
      ['POST', '/api/iam/admin/role', { role: 'operator' }],
      ['POST', '/api/admin/iam/admin/permissions', { permissions: ['view_all'] }],
    ] as const;
    for (const [method, path, body] of attempts) {
      const response = await helper.request(method, path, body ? { body } : {});
      expect(`${method} ${path} → ${response.status}`).toBe(`${method} ${path} → 409`);
      expect(response.json()).toMatchObject({ details: { reason: 'last_admin' } });
    }
    // A role change that keeps admin_access is no demotion... but the role is no longer admin: refused too.
    const keep = await helper.request('POST', '/api/iam/admin/role', {
      body: { role: 'operator', keep_permissions: true },
    });
    expect(keep.status).toBe(409);
    expect((await t.admin()).username).toBe('admin'); // still there and able to log in
  });

  it('allows it once a second administrator exists, and then protects that one', async () => {
    const admin = await t.admin();
    const second = await admin.request('POST', '/api/users', {
      body: { username: 'admin2', password: 'admin2-pass-1', role: 'admin' },
    });
    expect(second.status).toBe(201);
    expect((await helper.request('POST', '/api/iam/admin/role', { body: { role: 'viewer' } })).status).toBe(
      200,
    );
    expect((await helper.request('DELETE', '/api/users/admin2')).status).toBe(409);
    expect((await helper.request('POST', '/api/users/admin2/deactivate')).status).toBe(409);
  });
});
