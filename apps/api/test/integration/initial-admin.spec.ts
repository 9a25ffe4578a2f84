import { createTestDatabase, type TestDatabase } from '@proxdeck/testing';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/platform/database/data-source';
import { ensureInitialAdmin } from '../../src/modules/users/initial-admin';
import { passwordHasher } from '../../src/modules/users/password-hasher';
import { User } from '../../src/modules/users/user.entity';

describe('the first administrator (seed)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  // A database of its own: "first" administrator means no administrator exists yet.
  beforeAll(async () => {
    database = await createTestDatabase('proxdeck_it_seed');
    dataSource = await createDataSource(database.url).initialize();
    await dataSource.runMigrations();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('is created once with a random password when none is configured, and left alone afterwards', async () => {
    const users = dataSource.getRepository(User);
    const first = await ensureInitialAdmin(users, 'root-admin', undefined);
    expect(first.action).toBe('created');
    expect(first.generatedPassword).toMatch(/^[A-Za-z0-9]{20}$/);
    const again = await ensureInitialAdmin(users, 'root-admin', undefined);
    expect(again).toEqual({ action: 'unchanged', username: 'root-admin' });
    expect(await users.count({ where: { username: 'root-admin' } })).toBe(1);
    const stored = await users.findOneOrFail({ where: { username: 'root-admin' } });
    expect(stored.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await passwordHasher.verify(stored.passwordHash, first.generatedPassword ?? '')).toBe(true);
  });

  it('is not created a second time under another name when an administrator exists', async () => {
    const users = dataSource.getRepository(User);
    expect(await ensureInitialAdmin(users, 'other-admin', undefined)).toEqual({
      action: 'unchanged',
      username: 'other-admin',
    });
    expect(await users.count({ where: { username: 'other-admin' } })).toBe(0);
  });

  it('follows ADMIN_PASSWORD until the administrator changes the password', async () => {
    const users = dataSource.getRepository(User);
    await ensureInitialAdmin(users, 'env-admin', 'first-configured-pw');
    expect((await ensureInitialAdmin(users, 'env-admin', 'second-configured-pw')).action).toBe(
      'password-set-from-settings',
    );
    const user = await users.findOneOrFail({ where: { username: 'env-admin' } });
    expect(await passwordHasher.verify(user.passwordHash, 'second-configured-pw')).toBe(true);

    await users.update({ id: user.id }, { passwordChangedAt: new Date() });
    expect((await ensureInitialAdmin(users, 'env-admin', 'third-configured-pw')).action).toBe('unchanged');
  });
});
