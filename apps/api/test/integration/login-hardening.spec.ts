import { randomBytes } from 'node:crypto';
import { getRepositoryToken } from '@nestjs/typeorm';
import * as argon2 from 'argon2';
import type { Repository } from 'typeorm';
import { waitFor } from '@proxdeck/testing';
import { PasswordHashing } from '../../src/modules/users/password-hasher';
import { User } from '../../src/modules/users/user.entity';
import { UsersService } from '../../src/modules/users/users.service';
import { RedisService } from '../../src/platform/redis/redis.service';
import { createTestApp, type TestApp } from '../support/test-app';

const WRONG = { password: 'definitely-not-it' };

/** Counts password checks (argon2 verifications) and the most that ran at once. */
function countChecks(t: TestApp): { calls: () => number; peak: () => number } {
  const hashing = t.app.get(PasswordHashing);
  const original = hashing.verify.bind(hashing);
  let calls = 0;
  let peak = 0;
  jest.spyOn(hashing, 'verify').mockImplementation(async (hash, password) => {
    calls += 1;
    const result = original(hash, password);
    peak = Math.max(peak, hashing.active); // counted once the check holds its slot
    return result;
  });
  return { calls: () => calls, peak: () => peak };
}

const statuses = (responses: { status: number }[]): Record<number, number> =>
  responses.reduce<Record<number, number>>(
    (counts, { status }) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }),
    {},
  );

describe('login hardening', () => {
  describe('with the default limits', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({ RUN_WORKERS: 'false' });
    });
    afterAll(async () => {
      jest.restoreAllMocks();
      await t.close();
    });

    it('checks at most LOGIN_MAX_FAILURES passwords for 40 wrong logins sent at once; the rest are 429', async () => {
      const { username } = await t.createUser('viewer');
      const checks = countChecks(t);
      const responses = await Promise.all(
        Array.from({ length: 40 }, () => t.request('POST', '/login', { body: { username, ...WRONG } })),
      );
      expect(checks.calls()).toBeLessThanOrEqual(5);
      expect(statuses(responses)).toEqual({ 401: checks.calls(), 429: 40 - checks.calls() });
      const refused = responses.find((response) => response.status === 429);
      expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
      jest.restoreAllMocks();
    });

    it('accepts JSON only: a form-encoded login is 415', async () => {
      const response = await t.request('POST', '/login', {
        payload: 'username=admin&password=whatever',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect(response.status).toBe(415);
      expect(response.json()).toMatchObject({ success: false, code: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it('refuses logins another site sends, and accepts those from this site', async () => {
      const { username, password } = await t.createUser('viewer');
      const body = { username, password };
      const crossSite = await t.request('POST', '/login', {
        body,
        headers: { 'sec-fetch-site': 'cross-site' },
      });
      expect([crossSite.status, crossSite.json().code]).toEqual([403, 'CROSS_SITE_REQUEST']);
      const foreign = await t.request('POST', '/login', {
        body,
        headers: { origin: 'https://evil.example', host: 'proxdeck.lab:3000' },
      });
      expect([foreign.status, foreign.json().code]).toEqual([403, 'CROSS_SITE_REQUEST']);
      const opaque = await t.request('POST', '/login', { body, headers: { origin: 'null' } });
      expect(opaque.status).toBe(403);
      const own = await t.request('POST', '/login', {
        body,
        headers: {
          origin: 'http://proxdeck.lab:3000',
          host: 'proxdeck.lab:3000',
          'sec-fetch-site': 'same-origin',
        },
      });
      expect(own.status).toBe(200);
    });

    it('limits wrong current passwords on change-password like logins', async () => {
      const { username, password } = await t.createUser('operator');
      const caller = await t.login(username, password);
      for (let attempt = 0; attempt < 5; attempt += 1) {
        const wrong = await caller.request('POST', '/change-password', {
          body: { current_password: 'not-the-current-one', new_password: 'a-brand-new-password' },
        });
        expect(wrong.status).toBe(400);
      }
      const locked = await caller.request('POST', '/change-password', {
        body: { current_password: password, new_password: 'a-brand-new-password' },
      });
      expect([locked.status, locked.json().code]).toEqual([429, 'RATE_LIMITED']);
    });

    it('hashes with OWASP argon2id parameters and upgrades older hashes at the next login', async () => {
      const users = t.app.get<Repository<User>>(getRepositoryToken(User));
      const { username, password } = await t.createUser('viewer');
      // Made with argon2's defaults (64 MiB, 3 passes, 4 lanes), as older installations did.
      await users.update(
        { username },
        { passwordHash: await argon2.hash(password, { type: argon2.argon2id }) },
      );
      expect((await users.findOneByOrFail({ username })).passwordHash).toMatch(
        /^\$argon2id\$v=19\$m=65536,t=3,p=4\$/,
      );
      await t.login(username, password);
      expect((await users.findOneByOrFail({ username })).passwordHash).toMatch(
        /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/,
      );
      await t.login(username, password);
    });
  });

  describe('per client address, and the bound on hashes at once', () => {
    let t: TestApp;
    beforeAll(async () => {
      t = await createTestApp({
        RUN_WORKERS: 'false',
        LOGIN_MAX_FAILURES_PER_ADDRESS: '6',
        LOGIN_CONCURRENT_HASHES: '1',
      });
    });
    afterAll(async () => {
      jest.restoreAllMocks();
      await t.close();
    });

    it('limits wrong logins per client address, whatever the usernames', async () => {
      const from = (remoteAddress: string, username: string) =>
        t.request('POST', '/login', { body: { username, ...WRONG }, remoteAddress });
      for (let index = 0; index < 6; index += 1)
        expect((await from('10.1.1.1', `guess-${index}`)).status).toBe(401);
      const refused = await from('10.1.1.1', 'guess-new');
      expect(refused.status).toBe(429);
      expect(refused.json().error).toMatch(/from this address/);
      expect((await from('10.1.1.2', 'guess-new')).status).toBe(401);
      // Refused as it arrives, before its body is even read: a malformed body is 429, not 400.
      const early = await t.request('POST', '/login', {
        payload: '{"username": ',
        headers: { 'content-type': 'application/json' },
        remoteAddress: '10.1.1.1',
      });
      expect(early.status).toBe(429);
    });

    it('answers 503 at once beyond the hashes it may run, and gives those attempts back', async () => {
      const checks = countChecks(t);
      const address = '10.2.2.2';
      const responses = await Promise.all(
        Array.from({ length: 6 }, (_value, index) =>
          t.request('POST', '/login', {
            body: { username: `burst-${index}`, ...WRONG },
            remoteAddress: address,
          }),
        ),
      );
      const counts = statuses(responses);
      expect(checks.peak()).toBe(1);
      expect(counts[503]).toBeGreaterThan(0);
      expect((counts[401] ?? 0) + (counts[503] ?? 0)).toBe(6);
      const busy = responses.find((response) => response.status === 503);
      expect(busy?.json()).toMatchObject({ code: 'SERVICE_BUSY' });
      expect(busy?.headers['retry-after']).toBe('1');
      // Only the attempts that were checked count against the address.
      const redis = t.app.get(RedisService);
      expect(await redis.client.zcard(redis.key('login-failures-from', address))).toBe(counts[401]);
      jest.restoreAllMocks();
    });
  });

  describe('sessions and caches across instances', () => {
    let a: TestApp;
    let b: TestApp;
    beforeAll(async () => {
      const shared = {
        RUN_WORKERS: 'false',
        REDIS_PREFIX: `pdit-harden-${randomBytes(3).toString('hex')}`,
        SESSION_MAX_PER_USER: '3',
      };
      a = await createTestApp(shared);
      b = await createTestApp(shared);
    });
    afterAll(async () => {
      await Promise.all([a.close(), b.close()]);
    });

    it('keeps at most SESSION_MAX_PER_USER sessions per user: the oldest ends', async () => {
      const { username, password } = await a.createUser('viewer');
      const first = await a.login(username, password);
      const others = [await a.login(username, password), await a.login(username, password)];
      expect((await first.request('GET', '/api/current-user')).status).toBe(200);
      others.push(await a.login(username, password));
      const ended = await first.request('GET', '/api/current-user');
      expect([ended.status, ended.json().code]).toEqual([401, 'SESSION_EXPIRED']);
      const profile = await others[2]!.request('GET', '/api/profile');
      expect(profile.json<{ data: { sessions: unknown[] } }>().data.sessions).toHaveLength(3);
    });

    it('applies a permission change and a deactivation on every instance within a second', async () => {
      const { username, password } = await a.createUser('viewer');
      const caller = await a.login(username, password);
      const onB = (url: string) =>
        b.request('GET', url, { headers: { cookie: `proxdeck_session=${caller.cookieValue}` } });
      expect((await onB('/api/celery/status')).status).toBe(200); // B now caches the session and the user
      const users = a.app.get<Repository<User>>(getRepositoryToken(User));
      const { id } = await users.findOneByOrFail({ username });

      await users.update({ id }, { permissions: [] });
      await a.app.get(UsersService).changed(id);
      await waitFor(async () => ((await onB('/api/celery/status')).status === 403 ? true : undefined), {
        timeoutMs: 1_000,
        intervalMs: 20,
        what: 'B to see the permission taken away',
      });

      await users.update({ id }, { isActive: false });
      await a.app.get(UsersService).changed(id);
      await waitFor(async () => ((await onB('/api/current-user')).status === 401 ? true : undefined), {
        timeoutMs: 1_000,
        intervalMs: 20,
        what: 'B to refuse the deactivated user',
      });
    });

    it('does not trust its caches while its subscription is down, and drops them when it is back', async () => {
      const { username, password } = await a.createUser('viewer');
      const caller = await a.login(username, password);
      const onB = (url: string) =>
        b.request('GET', url, { headers: { cookie: `proxdeck_session=${caller.cookieValue}` } });
      expect((await onB('/api/celery/status')).status).toBe(200);
      const users = a.app.get<Repository<User>>(getRepositoryToken(User));
      const { id } = await users.findOneByOrFail({ username });

      const subscription = b.app.get(RedisService).subscriptionConnection;
      subscription.disconnect(false); // B stops hearing of changes
      await waitFor(() => (b.app.get(RedisService).invalidationsLive ? undefined : true), {
        timeoutMs: 2_000,
        what: 'B to notice its subscription is gone',
      });
      await users.update({ id }, { permissions: [] });
      await a.app.get(UsersService).changed(id); // published while B cannot hear it
      expect((await onB('/api/celery/status')).status).toBe(403); // B asked Postgres, not its cache

      await subscription.connect();
      await waitFor(() => (b.app.get(RedisService).invalidationsLive ? true : undefined), {
        timeoutMs: 5_000,
        what: 'B to be subscribed again',
      });
      await users.update({ id }, { permissions: ['view_all'] });
      await a.app.get(UsersService).changed(id);
      await waitFor(async () => ((await onB('/api/celery/status')).status === 200 ? true : undefined), {
        timeoutMs: 1_000,
        intervalMs: 20,
        what: 'B to hear changes again after resubscribing',
      });
    });
  });
});
