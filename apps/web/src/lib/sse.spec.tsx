import type { ReactNode } from 'react';
import { act, renderHook, waitFor } from '@testing-library/react';
import { QueryClient, QueryClientProvider, type QueryKey } from '@tanstack/react-query';
import type { NotificationEvent, TaskEvent } from '@proxdeck/contracts';
import { fail, mockApi, ok } from '../../test/api-mock';
import { FakeEventSource, installFakeEventSource, latestEventSource } from '../../test/fake-event-source';
import { makeNotification, makeServer, makeSession, makeTask, viewerUser } from '../../test/fixtures';
import { installSessionExpiry, sessionQueryOptions, type SessionState } from '../features/auth/auth.queries';
import { api } from './api';
import { queryKeys } from './query-keys';
import {
  applyServerEvent,
  applyTaskEvent,
  installLiveEvents,
  liveEventsOf,
  reconnectDelay,
  STREAM_PATH,
  useLiveState,
  usePollInterval,
  type LiveEvents,
  type LiveEventsOptions,
} from './sse';

let cleanups: (() => void)[] = [];

afterEach(() => {
  for (const cleanup of cleanups.reverse()) cleanup();
  cleanups = [];
});

const signedIn: SessionState = { status: 'authenticated', session: makeSession(viewerUser) };

/** A query client as a tab has it, with the stream installed and the fake EventSource on globalThis. */
function setUp(options: LiveEventsOptions = {}): { client: QueryClient; live: LiveEvents } {
  installFakeEventSource();
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  cleanups.push(installSessionExpiry(client));
  cleanups.push(installLiveEvents(client, { backoff: () => 10, ...options }));
  cleanups.push(() => {
    client.clear();
  });
  const live = liveEventsOf(client);
  if (!live) throw new Error('not installed');
  return { client, live };
}

/** Signs in and opens the stream. */
function connected(options: LiveEventsOptions = {}): {
  client: QueryClient;
  live: LiveEvents;
  source: FakeEventSource;
} {
  const setup = setUp(options);
  setup.client.setQueryData(sessionQueryOptions.queryKey, signedIn);
  const source = latestEventSource();
  act(() => {
    source.open();
  });
  return { ...setup, source };
}

function invalidated(client: QueryClient, key: QueryKey): boolean {
  return client.getQueryState(key)?.isInvalidated ?? false;
}

const runningTask = makeTask({
  task_id: 't-1',
  status: 'running',
  progress: 10,
  message: 'Cloning',
  finished_at: null,
  result: null,
  items: [
    {
      name: 'web-1',
      status: 'running',
      step: 'clone',
      progress: 10,
      error: null,
      pve_upids: ['UPID:pve1:1'],
      steps_done: ['reserve'],
    },
  ],
});

function taskPage(items: unknown[]) {
  return { items, pagination: { page: 1, per_page: 20, total: items.length, pages: 1 } };
}

function taskEvent(overrides: Partial<TaskEvent> = {}): TaskEvent {
  return {
    task_id: 't-1',
    status: 'running',
    progress: 50,
    message: 'Configuring',
    items: [{ name: 'web-1', status: 'running', step: 'configure', progress: 50, error: null }],
    ...overrides,
  };
}

const notification: NotificationEvent = makeNotification({
  id: 7,
  title: 'Backup failed',
  severity: 'error',
});

describe('the live stream', () => {
  it('opens one EventSource when a user signs in and closes it when they sign out', () => {
    const { client, live } = setUp();
    expect(FakeEventSource.instances).toHaveLength(0);
    expect(live.state).toBe('closed');

    client.setQueryData(sessionQueryOptions.queryKey, signedIn);
    expect(FakeEventSource.instances).toHaveLength(1);
    expect(latestEventSource().url).toBe(STREAM_PATH);
    expect(live.state).toBe('connecting');

    // The session asked again, still signed in: the same stream.
    client.setQueryData(sessionQueryOptions.queryKey, { ...signedIn });
    expect(FakeEventSource.instances).toHaveLength(1);

    act(() => {
      latestEventSource().open();
    });
    expect(live.state).toBe('open');

    client.setQueryData(sessionQueryOptions.queryKey, { status: 'signed-out' });
    expect(latestEventSource().closed).toBe(true);
    expect(live.state).toBe('closed');

    client.setQueryData(sessionQueryOptions.queryKey, signedIn);
    expect(FakeEventSource.instances).toHaveLength(2);
  });

  it("patches the task's cached detail and list rows, and refreshes the lists only when its status changes", () => {
    const { client, source } = connected();
    const [all, failed] = [queryKeys.tasks.list(), queryKeys.tasks.list({ status: 'failed' })];
    const lists = [all, failed];
    const otherTask = makeTask({ task_id: 't-2' });
    client.setQueryData(queryKeys.tasks.detail('t-1'), runningTask);
    client.setQueryData(all, taskPage([otherTask, runningTask]));
    client.setQueryData(failed, taskPage([]));

    act(() => {
      source.emit('task', taskEvent());
    });

    const patched = {
      ...runningTask,
      progress: 50,
      message: 'Configuring',
      items: [{ ...runningTask.items[0], step: 'configure', progress: 50 }],
    };
    expect(client.getQueryData(queryKeys.tasks.detail('t-1'))).toEqual(patched);
    expect(client.getQueryData(all)).toEqual(taskPage([otherTask, patched]));
    expect(client.getQueryData(failed)).toEqual(taskPage([]));
    expect(invalidated(client, queryKeys.tasks.detail('t-1'))).toBe(false);
    expect(lists.map((key) => invalidated(client, key))).toEqual([false, false]);

    act(() => {
      source.emit('task', taskEvent({ status: 'failed', progress: 100, message: 'Clone failed' }));
    });

    // A finished task is fetched again for its result and error; lists filter by status.
    expect(client.getQueryData(queryKeys.tasks.detail('t-1'))).toMatchObject({
      status: 'failed',
      progress: 100,
    });
    expect(invalidated(client, queryKeys.tasks.detail('t-1'))).toBe(true);
    expect(lists.map((key) => invalidated(client, key))).toEqual([true, true]);
  });

  it('fetches the task again when it starts, for its start time', () => {
    const { client, source } = connected();
    client.setQueryData(queryKeys.tasks.detail('t-1'), {
      ...runningTask,
      status: 'queued',
      progress: 0,
      started_at: null,
    });

    act(() => {
      source.emit('task', taskEvent({ status: 'running', progress: 0 }));
    });

    expect(client.getQueryData(queryKeys.tasks.detail('t-1'))).toMatchObject({ status: 'running' });
    expect(invalidated(client, queryKeys.tasks.detail('t-1'))).toBe(true);
  });

  it('takes the status of a task it has seen only on a list page from that page', () => {
    const { client, source } = connected();
    client.setQueryData(queryKeys.tasks.list(), taskPage([runningTask]));

    act(() => {
      source.emit('task', taskEvent());
    });

    expect(client.getQueryData(queryKeys.tasks.list())).toMatchObject({ items: [{ progress: 50 }] });
    expect(invalidated(client, queryKeys.tasks.list())).toBe(false);
  });

  it('refreshes the task lists for a task it has not seen', () => {
    const { client, source } = connected();
    client.setQueryData(queryKeys.tasks.list(), taskPage([]));

    act(() => {
      source.emit('task', taskEvent({ task_id: 't-new', status: 'queued', progress: 0, items: [] }));
    });

    expect(invalidated(client, queryKeys.tasks.list())).toBe(true);
    expect(client.getQueryData(queryKeys.tasks.detail('t-new'))).toBeUndefined();
  });

  it("patches a server's cached detail and the list pages holding it, and refreshes lists only when its status changes", () => {
    const { client, source } = connected();
    const web = makeServer({ name: 'web-01' });
    const other = makeServer({ id: 2, name: 'db-01', vmid: 102 });
    const pages = [queryKeys.servers.list(), queryKeys.servers.list({ status: 'running' })];
    const elsewhere = queryKeys.servers.list({ q: 'db' });
    client.setQueryData(queryKeys.servers.detail('web-01'), web);
    for (const key of pages) client.setQueryData(key, { items: [web, other], pagination: {} });
    client.setQueryData(elsewhere, { items: [other], pagination: {} });
    client.setQueryData(queryKeys.servers.cluster(), {});
    client.setQueryData(queryKeys.servers.config('web-01'), { pending: [{ key: 'memory' }] });

    act(() => {
      source.emit('server', { name: 'web-01', status: 'running', live: { cpu_usage: 0.75, mem_bytes: 42 } });
    });

    const patched = { ...web, live: { ...web.live, cpu_usage: 0.75, mem_bytes: 42 } };
    expect(client.getQueryData(queryKeys.servers.detail('web-01'))).toEqual(patched);
    for (const key of pages)
      expect(client.getQueryData(key)).toEqual({ items: [patched, other], pagination: {} });
    expect(client.getQueryData(elsewhere)).toEqual({ items: [other], pagination: {} });
    expect([...pages, elsewhere].map((key) => invalidated(client, key))).toEqual([false, false, false]);
    expect(invalidated(client, queryKeys.servers.detail('web-01'))).toBe(false);
    expect(invalidated(client, queryKeys.servers.config('web-01'))).toBe(false);

    act(() => {
      source.emit('server', { name: 'web-01', status: 'stopped' });
    });

    expect(client.getQueryData(queryKeys.servers.detail('web-01'))).toEqual({
      ...patched,
      status: 'stopped',
    });
    expect(client.getQueryData(pages[0] ?? [])).toMatchObject({ items: [{ status: 'stopped' }, other] });
    // A filter by status may now hold other servers: every list is asked again, the cluster figures too.
    expect([...pages, elsewhere].map((key) => invalidated(client, key))).toEqual([true, true, true]);
    expect(invalidated(client, queryKeys.servers.cluster())).toBe(true);
    expect(invalidated(client, queryKeys.servers.detail('web-01'))).toBe(false);
    // Pending changes are applied when the VM stops: its configuration is read again.
    expect(invalidated(client, queryKeys.servers.config('web-01'))).toBe(true);
  });

  it('refreshes the server lists for a server it has not seen, then not for its live figures', () => {
    const { client, source } = connected();
    const list = queryKeys.servers.list();
    client.setQueryData(list, { items: [], pagination: {} });

    act(() => {
      source.emit('server', { name: 'new-01', status: 'creating' });
    });
    expect(invalidated(client, list)).toBe(true);

    client.setQueryData(list, { items: [], pagination: {} });
    expect(invalidated(client, list)).toBe(false);
    act(() => {
      source.emit('server', { name: 'new-01', status: 'creating', live: { cpu_usage: 0.1 } });
    });
    expect(invalidated(client, list)).toBe(false);
  });

  it("adds a role run's output to its cached detail, and refreshes the runs and the servers when it ends", () => {
    const { client, source } = connected();
    const runKey = queryKeys.roles.run(9);
    const runs = queryKeys.roles.runs();
    const servers = queryKeys.servers.list();
    client.setQueryData(runKey, { id: 9, status: 'running', log: 'PLAY [all]\n' });
    client.setQueryData(runs, { items: [], pagination: {} });
    client.setQueryData(servers, { items: [], pagination: {} });
    const event = {
      run_id: 9,
      task_id: 't-9',
      server: 'web-01',
      role: 'web',
      action: 'apply' as const,
      status: 'running' as const,
      offset: 1,
      lines: ['TASK [web : Install nginx]'],
    };

    act(() => {
      source.emit('role_run', event);
      source.emit('role_run', event); // a repeat adds nothing
    });
    expect(client.getQueryData(runKey)).toEqual({
      id: 9,
      status: 'running',
      log: 'PLAY [all]\nTASK [web : Install nginx]\n',
    });
    expect([runKey, runs, servers].map((key) => invalidated(client, key))).toEqual([false, false, false]);

    act(() => {
      source.emit('role_run', { ...event, offset: 5, lines: ['later'] }); // lines were missed: read it again
    });
    expect(invalidated(client, runKey)).toBe(true);

    act(() => {
      source.emit('role_run', { ...event, status: 'succeeded', offset: 2, lines: [] });
    });
    expect([runs, servers].map((key) => invalidated(client, key))).toEqual([true, true]);
  });

  it('refreshes the notification lists and the unread count on a notification, and tells listeners', () => {
    const { client, live, source } = connected();
    const received: NotificationEvent[] = [];
    cleanups.push(live.on('notification', (data) => received.push(data)));
    const notificationKeys = [
      queryKeys.notifications.list({ page: 1, per_page: 20 }),
      queryKeys.notifications.list({ page: 2, per_page: 20, unread: true }),
      queryKeys.notifications.latest(8),
      queryKeys.notifications.unreadCount(),
    ];
    for (const key of [...notificationKeys, queryKeys.tasks.detail('t-1'), queryKeys.profile.all])
      client.setQueryData(key, {});

    act(() => {
      source.emit('notification', notification);
    });

    expect(notificationKeys.map((key) => invalidated(client, key))).toEqual([true, true, true, true]);
    expect(invalidated(client, queryKeys.tasks.detail('t-1'))).toBe(false);
    expect(invalidated(client, queryKeys.profile.all)).toBe(false);
    expect(received).toEqual([notification]);
  });

  it('refreshes the notifications when this user read, hid or cleared some in another tab', () => {
    const { client, source } = connected();
    const notificationKeys = [
      queryKeys.notifications.list({ page: 1, per_page: 20 }),
      queryKeys.notifications.latest(8),
      queryKeys.notifications.unreadCount(),
    ];
    for (const key of [...notificationKeys, queryKeys.tasks.detail('t-1')]) client.setQueryData(key, {});

    act(() => {
      source.emit('notification_state', { change: 'read', ids: [7] });
    });

    expect(notificationKeys.map((key) => invalidated(client, key))).toEqual([true, true, true]);
    expect(invalidated(client, queryKeys.tasks.detail('t-1'))).toBe(false);
  });

  it('refreshes role and server queries when a role run ends, not for each line of its output', () => {
    const { client, source } = connected();
    const roles = ['roles', 'runs', { server: 'web-01' }];
    const servers = ['servers', 'detail', 'web-01'];
    const other = queryKeys.tasks.detail('t-1');
    for (const key of [roles, servers, other]) client.setQueryData(key, {});
    const run = {
      run_id: 1,
      task_id: 't-1',
      server: 'web-01',
      role: 'web',
      action: 'apply' as const,
      offset: 0,
    };

    act(() => {
      source.emit('role_run', { ...run, status: 'running', lines: ['TASK [web : Install nginx]'] });
    });
    expect([roles, servers].map((key) => invalidated(client, key))).toEqual([false, false]);

    act(() => {
      source.emit('role_run', { ...run, status: 'succeeded', offset: 1, lines: [] });
    });
    expect([roles, servers, other].map((key) => invalidated(client, key))).toEqual([true, true, false]);
  });

  it('refreshes the monitoring queries when monitoring settings change, and nothing else', () => {
    const { client, source } = connected();
    const config = queryKeys.monitoring.config();
    const other = queryKeys.tasks.detail('t-1');
    for (const key of [config, other]) client.setQueryData(key, {});
    act(() => {
      source.emit('settings', { scope: 'monitoring', keys: ['cpu_warning_percent'] });
    });
    expect([config, other].map((key) => invalidated(client, key))).toEqual([true, false]);
  });

  it('refreshes the firewall views when the firewall changes, and nothing else', () => {
    const { client, source } = connected();
    const keys = [
      queryKeys.firewall.groups(),
      queryKeys.firewall.group('web'),
      queryKeys.firewall.drift(),
      queryKeys.firewall.server('web-01'),
    ];
    const other = queryKeys.servers.detail('web-01');
    for (const key of [...keys, other]) client.setQueryData(key, {});
    act(() => {
      source.emit('firewall', { scope: 'groups', name: 'web' });
    });
    expect([...keys, other].map((key) => invalidated(client, key))).toEqual([true, true, true, true, false]);
  });

  it('refreshes everything on a reload event', () => {
    const { client, source } = connected();
    const keys = [
      queryKeys.profile.all,
      queryKeys.tasks.detail('t-1'),
      queryKeys.notifications.unreadCount(),
    ];
    for (const key of keys) client.setQueryData(key, {});

    act(() => {
      source.emit('reload', { reason: 'Events were missed: reload what is shown' });
    });

    expect(keys.map((key) => invalidated(client, key))).toEqual([true, true, true]);
  });

  it('ignores data that is not JSON', () => {
    const { client, source } = connected();
    client.setQueryData(queryKeys.notifications.unreadCount(), { count: 1 });

    act(() => {
      source.dispatchEvent(new MessageEvent('notification', { data: '{not json', lastEventId: '1-1' }));
    });

    expect(invalidated(client, queryKeys.notifications.unreadCount())).toBe(false);
  });

  it('tells React its state, and pages poll only while it is not open', () => {
    const { client } = setUp();
    const wrapper = ({ children }: { children: ReactNode }) => (
      <QueryClientProvider client={client}>{children}</QueryClientProvider>
    );
    const { result } = renderHook(() => ({ state: useLiveState(), poll: usePollInterval(30_000) }), {
      wrapper,
    });
    expect(result.current).toEqual({ state: 'closed', poll: 30_000 });

    act(() => {
      client.setQueryData(sessionQueryOptions.queryKey, signedIn);
    });
    expect(result.current).toEqual({ state: 'connecting', poll: 30_000 });

    act(() => {
      latestEventSource().open();
    });
    expect(result.current).toEqual({ state: 'open', poll: false });

    // The network dropped: the browser reconnects this EventSource by itself.
    act(() => {
      latestEventSource().drop();
    });
    expect(result.current).toEqual({ state: 'reconnecting', poll: 30_000 });
    expect(FakeEventSource.instances).toHaveLength(1);

    act(() => {
      latestEventSource().open();
    });
    expect(result.current).toEqual({ state: 'open', poll: false });
  });

  it('after a drop resumes from the last event id, or refreshes everything when it had none', () => {
    const { client, source } = connected();
    client.setQueryData(queryKeys.profile.all, {});

    // No event yet, so no Last-Event-ID to resume from: what happened meanwhile is fetched again.
    act(() => {
      source.drop();
      source.open();
    });
    expect(invalidated(client, queryKeys.profile.all)).toBe(true);

    client.setQueryData(queryKeys.profile.all, {});
    act(() => {
      source.emit('server', { name: 'web-1', status: 'running' });
      source.drop();
      source.open();
    });
    // With an id the server replays what was missed (or sends reload): nothing to refresh here.
    expect(invalidated(client, queryKeys.profile.all)).toBe(false);
  });

  it('when the stream closes for good, checks the session and opens a new one, which refreshes everything', async () => {
    const api = mockApi({ 'GET /api/current-user': () => ok(viewerUser) });
    const { client, live, source } = connected();
    client.setQueryData(queryKeys.profile.all, {});

    act(() => {
      source.fail();
    });

    expect(live.state).toBe('reconnecting');
    await waitFor(() => {
      expect(FakeEventSource.instances).toHaveLength(2);
    });
    expect(api.calls('GET /api/current-user')).toHaveLength(1);
    expect(source.closed).toBe(true);
    expect(live.state).toBe('reconnecting');

    act(() => {
      latestEventSource().open();
    });
    expect(live.state).toBe('open');
    // A new EventSource cannot resume from the old one's last id.
    expect(invalidated(client, queryKeys.profile.all)).toBe(true);
  });

  it('tries again with backoff while the API refuses the stream, and the events of old sources are ignored', async () => {
    mockApi({ 'GET /api/current-user': () => ok(viewerUser) });
    const delays: number[] = [];
    const { client, source } = connected({
      backoff: (attempt) => {
        delays.push(attempt);
        return 10;
      },
    });

    act(() => {
      source.fail();
    });
    await waitFor(() => {
      expect(FakeEventSource.instances).toHaveLength(2);
    });
    act(() => {
      latestEventSource().fail();
    });
    await waitFor(() => {
      expect(FakeEventSource.instances).toHaveLength(3);
    });
    expect(delays).toEqual([1, 2]);

    client.setQueryData(queryKeys.notifications.unreadCount(), { count: 0 });
    act(() => {
      source.emit('notification', notification);
    });
    expect(invalidated(client, queryKeys.notifications.unreadCount())).toBe(false);

    // Once one opens, the count starts again.
    act(() => {
      latestEventSource().open();
      latestEventSource().fail();
    });
    await waitFor(() => {
      expect(FakeEventSource.instances).toHaveLength(4);
    });
    expect(delays).toEqual([1, 2, 1]);
  });

  it('when the stream is refused with a 401, marks the session expired and opens no other', async () => {
    const mock = mockApi({
      'GET /api/current-user': () => fail(401, 'UNAUTHENTICATED', 'Authentication required'),
    });
    let checked = false;
    const backoff = jest.fn(() => 10);
    const { client, live, source } = connected({
      // The default check, telling the test when it is done.
      checkSession: async () => {
        try {
          return await api.GET('/api/current-user');
        } finally {
          checked = true;
        }
      },
      backoff,
    });

    act(() => {
      source.fail();
    });

    await waitFor(() => {
      expect(checked).toBe(true);
    });
    expect(mock.calls('GET /api/current-user')).toHaveLength(1);
    expect(client.getQueryData(sessionQueryOptions.queryKey)).toEqual({ status: 'expired' });
    expect(live.state).toBe('closed');
    expect(backoff).not.toHaveBeenCalled();
    expect(FakeEventSource.instances).toHaveLength(1);
  });

  it('stays closed in a browser without EventSource', () => {
    const client = new QueryClient();
    Reflect.deleteProperty(globalThis, 'EventSource');
    cleanups.push(installLiveEvents(client));
    client.setQueryData(sessionQueryOptions.queryKey, signedIn);
    expect(liveEventsOf(client)?.state).toBe('closed');
  });
});

describe('applyTaskEvent', () => {
  it('keeps what the event does not carry, and takes new items as they are', () => {
    const patched = applyTaskEvent(
      runningTask,
      taskEvent({
        items: [
          { name: 'web-1', status: 'completed', step: null, progress: 100, error: null },
          { name: 'web-2', status: 'queued', step: null, progress: 0, error: null },
        ],
      }),
    );
    expect(patched.items).toEqual([
      { ...runningTask.items[0], status: 'completed', step: null, progress: 100 },
      {
        name: 'web-2',
        status: 'queued',
        step: null,
        progress: 0,
        error: null,
        pve_upids: [],
        steps_done: [],
      },
    ]);
    expect(applyTaskEvent(runningTask, taskEvent({ items: undefined })).items).toBe(runningTask.items);
  });
});

describe('applyServerEvent', () => {
  it('takes the status, and the live figures the event carries over those known', () => {
    const server = makeServer({ live: null });
    expect(applyServerEvent(server, { name: 'web-01', status: 'stopped' })).toEqual({
      ...server,
      status: 'stopped',
    });
    expect(
      applyServerEvent(server, { name: 'web-01', status: 'running', live: { mem_bytes: 5, lock: 'backup' } })
        .live,
    ).toEqual({
      cpu_usage: 0,
      mem_bytes: 5,
      maxmem_bytes: 0,
      disk_bytes: 0,
      uptime_s: 0,
      netin_bytes: 0,
      netout_bytes: 0,
      lock: 'backup',
    });
  });
});

describe('reconnectDelay', () => {
  it('doubles from one second up to thirty, with up to a fifth more', () => {
    const bounds = [1, 2, 3, 4, 5, 6, 7, 20].map((attempt) => {
      const delay = reconnectDelay(attempt);
      const base = Math.min(30_000, 1_000 * 2 ** (attempt - 1));
      return delay >= base && delay <= base * 1.2;
    });
    expect(bounds.every(Boolean)).toBe(true);
    expect(reconnectDelay(20)).toBeLessThanOrEqual(36_000);
  });
});
