import { randomBytes } from 'node:crypto';
import { waitFor } from '@proxdeck/testing';
import { SessionStore } from '../../src/platform/access/session.store';
import { createTestApp, type TestApp } from '../support/test-app';

const LOCAL_CACHE_MS = 1_000;
const meta = { ip: '127.0.0.1', userAgent: 'jest' };

/**
 * The in-process session cache that lets the access guard answer without Redis: what it may answer, and
 * that an ended session leaves it on every instance before the cache's own lifetime would drop it.
 */
describe('session cache', () => {
  let first: TestApp;
  let second: TestApp;
  let onFirst: SessionStore;
  let onSecond: SessionStore;

  beforeAll(async () => {
    const shared = {
      RUN_WORKERS: 'false',
      REDIS_PREFIX: `pdit-cache-${randomBytes(3).toString('hex')}`,
      SESSION_IDLE_TIMEOUT_S: '4', // touches are due after 250 ms
    };
    first = await createTestApp(shared);
    second = await createTestApp(shared);
    onFirst = first.app.get(SessionStore);
    onSecond = second.app.get(SessionStore);
  });
  afterAll(async () => {
    await Promise.all([first.close(), second.close()]);
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('knows nothing of a session it has not read from Redis', async () => {
    const { secret } = await onFirst.create(1, meta);
    expect(onSecond.peek(secret)).toBeUndefined();
    expect(await onSecond.resolve(secret)).not.toBeNull();
    expect(onSecond.peek(secret)).toBeDefined();
  });

  it('leaves to Redis a session whose idle timeout is due to be refreshed', async () => {
    const { secret, session } = await onFirst.create(1, meta);
    await onSecond.resolve(secret);
    expect(onSecond.peek(secret)).toMatchObject({ id: session.id, userId: 1 });
    const now = Date.now();
    jest.spyOn(Date, 'now').mockReturnValue(now + 300);
    expect(onSecond.peek(secret)).toBeUndefined();
    expect(onSecond.peek(secret, { touch: false })).toMatchObject({ id: session.id });
  });

  it('drops a session ended on another instance before its cache lifetime is over', async () => {
    const { secret, session } = await onFirst.create(1, meta);
    await onSecond.resolve(secret, { touch: false });
    const cachedAt = Date.now();
    expect(onSecond.peek(secret, { touch: false })).toBeDefined();

    await onFirst.revoke(session.id, 1);
    await waitFor(() => (onSecond.peek(secret, { touch: false }) === undefined ? true : undefined), {
      timeoutMs: 5_000,
      intervalMs: 5,
      what: 'the second instance to forget the ended session',
    });
    expect(Date.now() - cachedAt).toBeLessThan(LOCAL_CACHE_MS);
    expect(await onSecond.resolve(secret)).toBeNull();
  });
});
