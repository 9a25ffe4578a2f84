import { randomBytes } from 'node:crypto';
import { waitFor } from '@proxdeck/testing';
import { createTestApp, type TestApp } from '../support/test-app';

/** Two API instances sharing Redis: a session works on both and ends on both. */
describe('sessions across API instances', () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    const shared = { RUN_WORKERS: 'false', REDIS_PREFIX: `pdit-shared-${randomBytes(3).toString('hex')}` };
    first = await createTestApp(shared);
    second = await createTestApp(shared);
  });
  afterAll(async () => {
    await Promise.all([first.close(), second.close()]);
  });

  it('refuses on every instance a session ended on one of them', async () => {
    const onFirst = await first.admin();
    const cookie = `proxdeck_session=${onFirst.cookieValue}`;
    const viaSecond = () => second.request('GET', '/api/current-user', { headers: { cookie } });
    expect((await viaSecond()).status).toBe(200); // now cached on the second instance

    expect((await onFirst.request('POST', '/logout')).status).toBe(200);
    await waitFor(async () => ((await viaSecond()).status === 401 ? true : undefined), {
      timeoutMs: 2_000,
      intervalMs: 20,
      what: 'the second instance to refuse the ended session',
    });
  });
});
