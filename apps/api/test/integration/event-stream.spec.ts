import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { getRepositoryToken } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ApiTokensService } from '../../src/modules/users/api-tokens.service';
import { User } from '../../src/modules/users/user.entity';
import { UsersService } from '../../src/modules/users/users.service';
import { SessionStore } from '../../src/platform/access/session.store';
import { EventsService, compareEventIds } from '../../src/platform/events/events.service';
import { SseStreams } from '../../src/platform/events/sse-streams';
import { RedisService } from '../../src/platform/redis/redis.service';
import { SessionFactory, UserFactory } from '../factories';
import { openSse, type SseClient } from '@proxdeck/testing';
import { createTestApp, type TestApp } from '../support/test-app';

const task = (taskId: string, progress = 0) => ({
  task_id: taskId,
  status: 'running' as const,
  progress,
  message: null,
});

/**
 * The live event stream (docs/api.md §9) on two API instances of one installation: one event log in Redis,
 * replay from Last-Event-ID, visibility, sessions ending, slow clients.
 */
describe('the event stream', () => {
  let a: TestApp;
  let b: TestApp;
  const clients: SseClient[] = [];

  beforeAll(async () => {
    const shared = {
      RUN_WORKERS: 'false',
      REDIS_PREFIX: `pdit-sse-${randomBytes(3).toString('hex')}`,
      SSE_HEARTBEAT_S: '1',
    };
    a = await createTestApp(shared);
    b = await createTestApp(shared);
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await Promise.all([a.close(), b.close()]);
  });

  /** A stream on `app` for a user (a session made without a login), optionally resuming. */
  async function streamFor(app: TestApp, userId: number, lastEventId?: string): Promise<SseClient> {
    const session = await SessionFactory.create(app.app, userId);
    const client = await openSse(`${await app.url()}/api/notifications/stream`, {
      cookie: session.cookie,
      ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
    });
    clients.push(client);
    return client;
  }
  const publish = (app: TestApp, ...args: Parameters<EventsService['publish']>) =>
    app.app.get(EventsService).publish(...args);
  const taskIds = (client: SseClient) =>
    client
      .events()
      .filter((e) => e.event === 'task')
      .map((e) => (e.data as { task_id: string }).task_id);

  it('refuses anonymous clients with 401', async () => {
    const client = await openSse(`${await a.url()}/api/notifications/stream`);
    expect(client.status).toBe(401);
  });

  it('starts with retry, sends comments, and delivers events raised on another instance with increasing ids', async () => {
    const owner = await UserFactory.create(a.app, { role: 'viewer', permissions: [] });
    const onA = await streamFor(a, owner.id);
    expect(onA.status).toBe(200);
    await onA.waitFor((c) => c.frames.find((f) => f.retry === 3000), 'retry: 3000');
    // The first frame also says where the client starts, so a reconnect before any event resumes from there.
    expect(onA.frames[0]?.id).toMatch(/^\d+-\d+$/);
    await onA.waitFor((c) => c.frames.find((f) => f.comment === 'ping'), 'a heartbeat comment', 3_000);
    expect(onA.frames[0]?.retry).toBe(3000);

    await publish(b, 'task', task('t-from-b-1'), { userId: owner.id, broadcast: true });
    await publish(b, 'task', task('t-from-b-2'), { userId: owner.id, broadcast: true });
    await onA.waitFor((c) => (taskIds(c).length === 2 ? true : undefined), 'two events from B');
    const ids = onA.events().map((e) => e.id);
    expect(taskIds(onA)).toEqual(['t-from-b-1', 't-from-b-2']);
    expect(compareEventIds(ids[1]!, ids[0]!)).toBeGreaterThan(0);
  });

  it('replays exactly the missed events, in order and once, then goes on live', async () => {
    const owner = await UserFactory.create(a.app, { role: 'viewer', permissions: [] });
    const first = await streamFor(a, owner.id);
    const audience = { userId: owner.id, broadcast: false };
    for (const id of ['r1', 'r2']) await publish(a, 'task', task(id), audience);
    await first.waitFor((c) => (taskIds(c).length === 2 ? true : undefined), 'r1 and r2');
    const lastSeen = first.events().at(-1)!.id;
    first.close();

    for (const id of ['r3', 'r4', 'r5']) await publish(b, 'task', task(id), audience);
    const resumed = await streamFor(b, owner.id, lastSeen);
    await resumed.waitFor((c) => (taskIds(c).length === 3 ? true : undefined), 'the three missed events');
    await publish(a, 'task', task('r6'), audience);
    await resumed.waitFor((c) => (taskIds(c).length === 4 ? true : undefined), 'the live event after them');
    expect(taskIds(resumed)).toEqual(['r3', 'r4', 'r5', 'r6']);
    const ids = resumed.events().map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('resumes from a last_event_id in the URL too (a new EventSource cannot send the header)', async () => {
    const owner = await UserFactory.create(a.app, { role: 'viewer', permissions: [] });
    const audience = { userId: owner.id, broadcast: false };
    const from = await publish(a, 'task', task('u1'), audience);
    await publish(a, 'task', task('u2'), audience);
    const session = await SessionFactory.create(a.app, owner.id);
    const client = await openSse(`${await a.url()}/api/notifications/stream?last_event_id=${from}`, {
      cookie: session.cookie,
    });
    clients.push(client);
    await client.waitFor((c) => (taskIds(c).includes('u2') ? true : undefined), 'u2, replayed');
    expect(taskIds(client)).toEqual(['u2']);
  });

  it('tells a client to reload when what it missed is no longer kept, or its id is unknown', async () => {
    const owner = await UserFactory.create(a.app, { role: 'viewer', permissions: [] });
    const audience = { userId: owner.id, broadcast: false };
    const old = await publish(a, 'task', task('will-be-trimmed'), audience);
    await publish(a, 'task', task('kept'), audience);
    const redis = a.app.get(RedisService);
    // The log keeps an hour; here the oldest entries are cut as the hour would cut them.
    const events = a.app.get(EventsService);
    const newest = await events.lastId();
    await redis.client.xtrim(events.streamKey, 'MINID', newest);

    const stale = await streamFor(a, owner.id, old);
    await stale.waitFor((c) => c.events().find((e) => e.event === 'reload'), 'the reload event');
    expect(taskIds(stale)).toEqual([]);
    expect(stale.events()[0]?.id).toBe(newest);

    const unknown = await streamFor(a, owner.id, '99999999999999-0');
    await unknown.waitFor(
      (c) => c.events().find((e) => e.event === 'reload'),
      'the reload event for an unknown id',
    );
  });

  it('shows a client only its own events, and broadcasts only with view_all', async () => {
    const me = await UserFactory.create(a.app, { role: 'viewer', permissions: [] });
    const watcher = await UserFactory.create(a.app, { role: 'viewer' }); // view_all
    const other = await UserFactory.create(a.app, { role: 'viewer', permissions: [] });
    const mine = await streamFor(a, me.id);
    const watching = await streamFor(b, watcher.id);
    await publish(a, 'task', task('others-task'), { userId: other.id, broadcast: true });
    await publish(a, 'notification', notification(1, 'private to other'), {
      userId: other.id,
      broadcast: false,
    });
    await publish(a, 'task', task('my-task'), { userId: me.id, broadcast: true });
    await mine.waitFor((c) => (taskIds(c).includes('my-task') ? true : undefined), 'my own task');
    await watching.waitFor((c) => (taskIds(c).includes('my-task') ? true : undefined), 'the broadcast');
    expect(taskIds(mine)).toEqual(['my-task']);
    expect(taskIds(watching)).toEqual(['others-task', 'my-task']);
    expect(watching.events().some((e) => e.event === 'notification')).toBe(false);
    expect(mine.events().some((e) => e.event === 'notification')).toBe(false);
  });

  it('closes the stream of a session that ends, and stops broadcasts to a user who loses view_all', async () => {
    const user = await UserFactory.create(a.app, { role: 'viewer' });
    const revoked = await streamFor(a, user.id);
    const sessions = await a.app.get(SessionStore).listForUser(user.id);
    await b.app.get(SessionStore).revoke(sessions[0]!.id, user.id); // ended on the other instance
    await revoked.ended;
    expect(revoked.isEnded()).toBe(true);

    const shrinking = await streamFor(a, user.id);
    await publish(a, 'task', task('before'), { userId: null, broadcast: true });
    await shrinking.waitFor((c) => (taskIds(c).includes('before') ? true : undefined), 'a broadcast');
    const users = a.app.get<Repository<User>>(getRepositoryToken(User));
    await users.update({ id: user.id }, { permissions: [] });
    await b.app.get(UsersService).changed(user.id);
    // Once A has heard of the change (its cache holds the user without view_all), its stream holds events until
    // it has checked the user again: what comes next is filtered by the new permissions.
    await shrinking.waitFor(
      () => (a.app.get(UsersService).peekActive(user.id)?.permissions.length === 0 ? true : undefined),
      'A to hear of the change',
    );
    await publish(a, 'task', task('after'), { userId: null, broadcast: true });
    await publish(a, 'task', task('own-last'), { userId: user.id, broadcast: false });
    await shrinking.waitFor(
      (c) => (taskIds(c).includes('own-last') ? true : undefined),
      'the last own event',
    );
    expect(taskIds(shrinking)).not.toContain('after');
  });

  it('closes the stream of an API token revoked on another instance, and keeps its owner’s other streams', async () => {
    const user = await UserFactory.create(a.app, { role: 'viewer' });
    const { token, secret } = await a.app
      .get(ApiTokensService)
      .create(user.id, { name: 'stream', permissions: null, expiresAt: null });
    const viaToken = await openSse(`${await a.url()}/api/notifications/stream`, {
      authorization: `Bearer ${secret}`,
    });
    clients.push(viaToken);
    expect(viaToken.status).toBe(200);
    const viaSession = await streamFor(a, user.id);
    await b.app.get(ApiTokensService).revoke(token.id);
    await viaToken.ended;
    expect(viaToken.isEnded()).toBe(true);
    await publish(a, 'task', task('still-here'), { userId: user.id, broadcast: false });
    await viaSession.waitFor(
      (c) => (taskIds(c).includes('still-here') ? true : undefined),
      'the session stream',
    );
    expect(viaSession.isEnded()).toBe(false);
  });

  it('drops a client that does not read without slowing the others', async () => {
    const user = await UserFactory.create(a.app, { role: 'viewer', permissions: [] });
    const session = await SessionFactory.create(a.app, user.id);
    const reader = await streamFor(a, user.id);
    const { port } = new URL(await a.url());
    // A client that sends its request and never reads a byte of the answer.
    const stuck = connect(Number(port), '127.0.0.1');
    stuck.pause();
    stuck.write(`GET /api/notifications/stream HTTP/1.1\r\nHost: x\r\nCookie: ${session.cookie}\r\n\r\n`);
    const streams = a.app.get(SseStreams);
    const before = streams.openCount;
    await reader.waitFor(() => (streams.openCount > before ? true : undefined), 'the stuck stream to open');

    // 12 MB for each client: far more than the kernel's socket buffers hold for the one that does not read.
    const padding = 'x'.repeat(40_000);
    const started = Date.now();
    for (let index = 0; index < 300; index += 1) {
      await publish(
        a,
        'task',
        { ...task(`bulk-${index}`), message: padding },
        { userId: user.id, broadcast: false },
      );
    }
    await reader.waitFor((c) => (taskIds(c).length === 300 ? true : undefined), 'all 300 events', 20_000);
    const elapsed = Date.now() - started;
    await reader.waitFor(
      () => (streams.openCount === before ? true : undefined),
      'the stuck client to be dropped',
    );
    expect(elapsed).toBeLessThan(20_000);
    stuck.destroy();
  });
});

function notification(id: number, title: string) {
  return {
    id,
    type: 'test',
    severity: 'info' as const,
    title,
    message: title,
    details: null,
    task_id: null,
    server: null,
    read: false,
    created_at: new Date().toISOString(),
  };
}
