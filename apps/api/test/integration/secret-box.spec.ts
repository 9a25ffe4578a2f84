import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RoleSecrets } from '../../src/modules/roles/role-secrets';
import { RedisService } from '../../src/platform/redis/redis.service';
import { SecretBox } from '../../src/platform/secrets/secret-box';
import { createTestApp, type TestApp } from '../support/test-app';

/**
 * Secrets that wait outside the database (a role run's secret variables in Redis) are sealed with the
 * installation's key, kept in Postgres and shared by every process: Redis never holds them in clear.
 */
describe('the secret box', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t.close();
  });

  it('seals so that another process of the installation opens, and refuses a changed or foreign text', async () => {
    const secret = `pw-${randomBytes(6).toString('hex')}`;
    const sealed = await t.app.get(SecretBox).seal(secret);
    expect(sealed).not.toContain(secret);
    expect(sealed).not.toBe(await t.app.get(SecretBox).seal(secret)); // a fresh IV each time
    // Another process: its own SecretBox, the same database, hence the same key.
    const other = new SecretBox(t.app.get(DataSource));
    await expect(other.open(sealed)).resolves.toBe(secret);

    const parts = sealed.split('.');
    const data = Buffer.from(parts[3] ?? '', 'base64url');
    data[0] = (data[0] ?? 0) ^ 1;
    const changed = [...parts.slice(0, 3), data.toString('base64url')].join('.');
    await expect(other.open(changed)).rejects.toThrow();
    await expect(other.open('plain text')).rejects.toThrow('not a sealed secret');
  });

  it("keeps a role run's secret variables sealed in Redis until the worker reads them", async () => {
    const secrets = { db_root_password: `root-${randomBytes(6).toString('hex')}` };
    const taskId = randomBytes(8).toString('hex');
    const roleSecrets = t.app.get(RoleSecrets, { strict: false });
    await roleSecrets.keep(taskId, 'sealed-01', secrets);
    const redis = t.app.get(RedisService);
    const raw = await redis.client.get(redis.key('role-secrets', taskId, 'sealed-01'));
    expect(raw).not.toBeNull();
    expect(raw).not.toContain(secrets.db_root_password);
    await expect(roleSecrets.read(taskId, 'sealed-01')).resolves.toEqual(secrets);
    await roleSecrets.forget(taskId, 'sealed-01');
    await expect(roleSecrets.read(taskId, 'sealed-01')).resolves.toBeNull();
  });
});
