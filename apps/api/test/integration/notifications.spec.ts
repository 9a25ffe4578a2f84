import { openSse, waitFor } from '@proxdeck/testing';
import { NotificationsService } from '../../src/modules/notifications/notifications.service';
import { UserFactory } from '../factories';
import { createTestApp, type Caller, type TestApp } from '../support/test-app';

interface NotificationBody {
  id: number;
  type: string;
  severity: string;
  title: string;
  read: boolean;
  task_id: string | null;
}

/** Notifications (docs/api.md §9): per-user views of direct and broadcast notifications, raised and streamed. */
describe('notifications', () => {
  let t: TestApp;
  let admin: Caller;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'true', NOTIFY_TASKS_LONGER_THAN_S: '0' });
    admin = await t.admin();
  });
  afterAll(async () => {
    await t.close();
  });

  const caller = async (role: 'viewer' | 'operator', permissions?: []) => {
    const user = await UserFactory.create(t.app, { role, ...(permissions ? { permissions } : {}) });
    return { user, session: await t.login(user.username, user.password) };
  };
  const raise = async (recipientId: number | null, title: string, severity: 'info' | 'error' = 'info') => {
    const raised = await t.app
      .get(NotificationsService)
      .raise({ type: 'test', severity, title, message: title, recipientId });
    if (!raised) throw new Error(`no user ${String(recipientId)} to raise a notification for`);
    return raised;
  };
  const list = async (who: Caller, query = '') =>
    (await who.request('GET', `/api/notifications${query}`)).json<{
      data: NotificationBody[];
      pagination: { total: number };
    }>();
  const titles = async (who: Caller, query = '') => (await list(who, query)).data.map((n) => n.title);
  const unread = async (who: Caller) =>
    (await who.request('GET', '/api/notifications/unread-count')).json<{ data: { count: number } }>().data
      .count;

  it('shows a user their own notifications, and broadcasts only with view_all', async () => {
    const watcher = await caller('viewer');
    const restricted = await caller('viewer', []);
    await raise(restricted.user.id, 'to restricted');
    await raise(watcher.user.id, 'to watcher');
    await raise(null, 'to everyone');
    expect(await titles(watcher.session)).toEqual(['to everyone', 'to watcher']);
    expect(await titles(restricted.session)).toEqual(['to restricted']);
    const foreign = (await list(restricted.session)).data[0]!.id;
    expect((await watcher.session.request('GET', `/api/notifications/${String(foreign)}`)).status).toBe(404);
    expect((await restricted.session.request('GET', `/api/notifications/${String(foreign)}`)).status).toBe(
      200,
    );
  });

  it('keeps read and hidden state per user, also for a broadcast', async () => {
    const first = await caller('viewer');
    const second = await caller('viewer');
    const broadcast = await raise(null, `broadcast ${String(Date.now())}`);
    const before = await unread(second.session);
    const read = await first.session.request('POST', `/api/notifications/${String(broadcast.id)}/read`);
    expect(read.json<{ data: NotificationBody }>().data.read).toBe(true);
    expect(
      (await first.session.request('GET', `/api/notifications/${String(broadcast.id)}`)).json<{
        data: NotificationBody;
      }>().data.read,
    ).toBe(true);
    expect(
      (await second.session.request('GET', `/api/notifications/${String(broadcast.id)}`)).json<{
        data: NotificationBody;
      }>().data.read,
    ).toBe(false);
    expect(await unread(second.session)).toBe(before);

    expect((await first.session.request('DELETE', `/api/notifications/${String(broadcast.id)}`)).status).toBe(
      200,
    );
    expect((await first.session.request('GET', `/api/notifications/${String(broadcast.id)}`)).status).toBe(
      404,
    );
    expect((await second.session.request('GET', `/api/notifications/${String(broadcast.id)}`)).status).toBe(
      200,
    );
  });

  it("tells the caller's other tabs what they read, hid and cleared, and nobody else", async () => {
    const first = await caller('viewer');
    const second = await caller('viewer');
    const url = `${await t.url()}/api/notifications/stream`;
    const firstStream = await openSse(url, { cookie: `proxdeck_session=${first.session.cookieValue}` });
    const secondStream = await openSse(url, { cookie: `proxdeck_session=${second.session.cookieValue}` });
    const shared = await raise(null, 'shared with both');
    const own = await raise(first.user.id, 'first only');
    const stateChanges = (stream: typeof firstStream) =>
      stream
        .events()
        .filter((e) => e.event === 'notification_state')
        .map((e) => e.data);

    await first.session.request('POST', `/api/notifications/${String(shared.id)}/read`);
    await first.session.request('DELETE', `/api/notifications/${String(shared.id)}`);
    await first.session.request('POST', '/api/notifications/clear-all');
    await firstStream.waitFor(
      (s) => (s.events().filter((e) => e.event === 'notification_state').length === 3 ? true : undefined),
      'three state changes',
    );
    expect(stateChanges(firstStream)).toEqual([
      { change: 'read', ids: [shared.id] },
      { change: 'hidden', ids: [shared.id] },
      { change: 'cleared', ids: expect.arrayContaining([own.id]) as unknown },
    ]);
    // The second user's stream has seen a later event of theirs, and none of the first user's changes.
    const marker = await raise(second.user.id, 'marker');
    await secondStream.waitFor(
      (s) =>
        s.events().find((e) => e.event === 'notification' && (e.data as NotificationBody).id === marker.id),
      'the marker notification',
    );
    expect(stateChanges(secondStream)).toEqual([]);
    firstStream.close();
    secondStream.close();
  });

  it('clears all for the caller only', async () => {
    const first = await caller('viewer');
    const second = await caller('viewer');
    await raise(first.user.id, 'mine');
    await raise(null, 'shared');
    const cleared = await first.session.request('POST', '/api/notifications/clear-all');
    expect(cleared.json<{ data: { hidden: number } }>().data.hidden).toBeGreaterThanOrEqual(2);
    expect(await titles(first.session)).toEqual([]);
    expect(await unread(first.session)).toBe(0);
    expect(await titles(second.session)).toContain('shared');
  });

  it('filters, pages, and gives the latest after an id', async () => {
    const me = await caller('viewer', []);
    const first = await raise(me.user.id, 'one', 'info');
    await raise(me.user.id, 'two', 'error');
    await raise(me.user.id, 'three', 'error');
    expect(await titles(me.session, '?severity=error')).toEqual(['three', 'two']);
    expect(await titles(me.session, '?unread=true&per_page=1&page=2')).toEqual(['two']);
    expect((await list(me.session, '?per_page=1')).pagination.total).toBe(3);
    const latest = await me.session.request(
      'GET',
      `/api/notifications/latest?since_id=${String(first.id)}&limit=5`,
    );
    expect(latest.json<{ data: NotificationBody[] }>().data.map((n) => n.title)).toEqual(['three', 'two']);
    expect((await me.session.request('GET', '/api/notifications?severity=loud')).status).toBe(400);
    expect((await me.session.request('GET', '/api/notifications/abc')).status).toBe(404);
  });

  it('raises one for a failed task of its creator, and sends it on the stream', async () => {
    const stream = await openSse(`${await t.url()}/api/notifications/stream`, {
      cookie: `proxdeck_session=${admin.cookieValue}`,
    });
    const accepted = await admin.request('POST', '/api/test/error', {
      body: { message: 'broke on purpose' },
    });
    const taskId = accepted.json<{ data: { task_id: string } }>().data.task_id;
    const failure = await waitFor(async () => (await list(admin)).data.find((n) => n.task_id === taskId), {
      timeoutMs: 15_000,
      what: 'the failure notification',
    });
    expect(failure).toMatchObject({ type: 'task.failed', severity: 'error', read: false });
    await stream.waitFor(
      (s) =>
        s.events().find((e) => e.event === 'notification' && (e.data as NotificationBody).id === failure.id),
      'the notification on the stream',
    );
    stream.close();
  });

  it('offers a test notification to administrators, to themselves or broadcast', async () => {
    const raised = await admin.request('POST', '/api/test/notification', {
      body: { title: 'hello', broadcast: true },
    });
    expect(raised.status).toBe(201);
    const { id, broadcast } = raised.json<{ data: { id: number; broadcast: boolean } }>().data;
    expect(broadcast).toBe(true);
    const viewer = await caller('viewer');
    expect((await viewer.session.request('GET', `/api/notifications/${String(id)}`)).status).toBe(200);
  });

  it('prunes notifications older than the retention', async () => {
    const me = await caller('viewer', []);
    const old = await raise(me.user.id, 'old');
    await t.app.get(NotificationsService).pruneBefore(new Date(old.createdAt.getTime() + 1));
    expect(await titles(me.session)).toEqual([]);
  });
});
