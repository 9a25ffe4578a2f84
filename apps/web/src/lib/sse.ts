/**
 * Live events (docs/api.md §9): ONE EventSource per tab on GET /api/notifications/stream while a user is
 * signed in, typed by the contracts' SseEventMap. Events refresh the TanStack Query caches through
 * lib/query-keys.ts, so pages show changes as they happen and need not poll while the stream is open:
 *
 * - `task`: the task's cached detail and its row on cached list pages are patched; when its status changed
 *   (it started or finished: times, result and error the event does not carry) the detail is fetched
 *   again, and the task lists are refreshed.
 * - `server`: the server's cached detail and the cached list pages holding it are patched (status and live
 *   figures); the lists are refreshed only when its status changed, since a filter by status may change which
 *   servers a page holds.
 * - `notification`, and `notification_state` (this user read, hid or cleared some, perhaps in another tab):
 *   the notification lists, the latest ones and the unread count are refreshed.
 * - `alert`: the alert lists and the monitoring figures are refreshed.
 * - `role_run`: the run's output is added to its cached detail (read again if lines were missed); when it
 *   ends, the role queries and the servers (whose role may have changed) are refreshed.
 * - `settings`: monitoring settings changed: every monitoring query is refreshed.
 * - `firewall`: security groups, IP sets, aliases, servers' groups or drift changed: every firewall query is
 *   refreshed.
 * - `reload`: events were missed, so every query is refreshed.
 *
 * The browser's EventSource reconnects by itself after a network drop or an API restart (the stream says
 * `retry: 3000`) and resumes with Last-Event-ID. When it gives up for good (an HTTP error such as the 401 of
 * an ended session), the session is checked through the API client, whose 401 marks it expired like any
 * other request's; while the user is still signed in a new EventSource follows, with backoff. A new
 * EventSource cannot resume (it sends no Last-Event-ID), so when it opens every query is refreshed.
 *
 * `installLiveEvents(queryClient)` (main.tsx) follows the session: the stream opens when a user signs in and
 * closes on sign-out and on session expiry. Components use `useLiveState()`, `useLiveEvent()` and
 * `usePollInterval()`.
 */
import { useEffect, useRef, useSyncExternalStore } from 'react';
import { hashKey, useQueryClient, type QueryClient } from '@tanstack/react-query';
import {
  isFinalTaskStatus,
  type RoleRunEvent,
  type ServerEvent,
  type SseEventMap,
  type SseEventName,
  type TaskEvent,
  type TaskStatus,
} from '@proxdeck/contracts';
import { sessionQueryOptions } from '../features/auth/auth.queries';
import type { TaskPage } from '../features/tasks/tasks.queries';
import { api, type Schemas } from './api';
import { queryKeys } from './query-keys';

export const STREAM_PATH = '/api/notifications/stream';

/**
 * `connecting`: the first connection of this sign-in is being made. `open`: events arrive. `reconnecting`:
 * the connection was lost (or never made) and is being made again. `closed`: nobody is signed in, or the
 * browser has no EventSource.
 */
export type LiveState = 'closed' | 'connecting' | 'open' | 'reconnecting';

/** What this module needs of an EventSource: the browser's, or a test's fake. */
export type EventSourceLike = Pick<EventSource, 'readyState' | 'close' | 'addEventListener'>;

/** Every event of the map (a new one fails typecheck here until it is listened to). */
const EVENT_NAMES = Object.keys({
  task: true,
  notification: true,
  notification_state: true,
  server: true,
  alert: true,
  role_run: true,
  settings: true,
  firewall: true,
  reload: true,
} satisfies Record<SseEventName, true>) as SseEventName[];
/** EventSource.CLOSED: the browser will not reconnect this one by itself. */
const CLOSED = 2;
/** Task and server statuses remembered to tell a status change from a progress or live figures update. */
const REMEMBERED_STATUSES = 500;

type Task = Schemas['TaskDto'];
type Server = Schemas['ServerDto'];
type ServerLive = Schemas['ServerLiveDto'];
type RoleRun = Schemas['RoleRunDto'];
/** A cached page of GET /api/servers (features/servers/servers.queries.ts keeps lists in this shape). */
interface ServerPage {
  items: Server[];
}
type EventHandlers = { [E in SseEventName]: (data: SseEventMap[E]) => void };
type EventListeners = { [E in SseEventName]: Set<(data: SseEventMap[E]) => void> };

export interface LiveEventsOptions {
  /** The stream's address (default: the API's, at this origin). */
  url?: string;
  /** Makes the EventSource; null when the browser has none (pages then keep polling). */
  createSource?: (url: string) => EventSourceLike | null;
  /** Milliseconds to wait before the `attempt`-th new EventSource (from 1) after one closed for good. */
  backoff?: (attempt: number) => number;
  /**
   * Asks the API whether the session still exists after the stream closed for good. It goes through the API
   * client, so a 401 marks the session expired (which closes the stream) like any other request's.
   */
  checkSession?: () => Promise<unknown>;
}

function browserEventSource(url: string): EventSourceLike | null {
  return 'EventSource' in globalThis ? new globalThis.EventSource(url) : null;
}

/** 1 s, 2 s, 4 s … up to 30 s, plus up to a fifth more so that many tabs do not come back at once. */
export function reconnectDelay(attempt: number): number {
  const base = Math.min(30_000, 1_000 * 2 ** Math.min(Math.max(attempt - 1, 0), 5));
  return base + Math.floor(Math.random() * base * 0.2);
}

async function checkSessionThroughApi(): Promise<unknown> {
  return api.GET('/api/current-user');
}

/** A cached task with a task event applied: status, progress, message, and the items' state. */
export function applyTaskEvent(task: Task, event: TaskEvent): Task {
  const items = event.items
    ? event.items.map((item) => {
        const known = task.items.find((candidate) => candidate.name === item.name);
        return { pve_upids: [], steps_done: [], ...known, ...item };
      })
    : task.items;
  return { ...task, status: event.status, progress: event.progress, message: event.message, items };
}

const LIVE_NUMBERS = [
  'cpu_usage',
  'mem_bytes',
  'maxmem_bytes',
  'disk_bytes',
  'uptime_s',
  'netin_bytes',
  'netout_bytes',
] as const;

/** The live figures an event carries, over those known (an event may carry only some). */
function liveFrom(known: ServerLive | null, raw: Record<string, unknown>): ServerLive | null {
  const next: ServerLive = known
    ? { ...known }
    : {
        cpu_usage: 0,
        mem_bytes: 0,
        maxmem_bytes: 0,
        disk_bytes: 0,
        uptime_s: 0,
        netin_bytes: 0,
        netout_bytes: 0,
        lock: null,
      };
  let any = false;
  for (const field of LIVE_NUMBERS) {
    const value = raw[field];
    if (typeof value === 'number') {
      next[field] = value;
      any = true;
    }
  }
  if ('lock' in raw && (typeof raw.lock === 'string' || raw.lock === null)) {
    next.lock = raw.lock;
    any = true;
  }
  return any ? next : known;
}

/** A cached server with a server event applied: its status, and its live figures when the event has some. */
export function applyServerEvent(server: Server, event: ServerEvent): Server {
  const status = event.status as Server['status'];
  return { ...server, status, live: event.live ? liveFrom(server.live, event.live) : server.live };
}

/** The lines of a run's log (the stored log ends each line with a newline). */
export function logLines(log: string): string[] {
  if (log === '') return [];
  const lines = log.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/**
 * A cached run with an event's lines added where they belong (`offset` is the index of the first line): lines
 * already there are not repeated; null when lines are missing in between (the run must be read again).
 */
export function applyRoleRunEvent(run: RoleRun, event: RoleRunEvent): RoleRun | null {
  const known = logLines(run.log);
  if (event.offset > known.length) return null;
  const fresh = event.lines.slice(known.length - event.offset);
  const status = event.status === 'running' ? run.status : event.status;
  if (fresh.length === 0 && status === run.status) return run;
  return {
    ...run,
    status,
    log: fresh.length > 0 ? `${run.log}${fresh.join('\n')}\n` : run.log,
  };
}

/** The stream of one tab, its state, and what it does to the query caches. */
export class LiveEvents {
  readonly #queryClient: QueryClient;
  readonly #url: string;
  readonly #createSource: (url: string) => EventSourceLike | null;
  readonly #backoff: (attempt: number) => number;
  readonly #checkSession: () => Promise<unknown>;

  #state: LiveState = 'closed';
  #running = false;
  #source: EventSourceLike | null = null;
  /** Bumped for every new EventSource and on stop: callbacks of an older one are ignored. */
  #generation = 0;
  #attempts = 0;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  /** A stream of this sign-in has been open: events may have been missed since. */
  #openedBefore = false;
  /** The current EventSource has received an event id, so the browser resumes from it on reconnect. */
  #sawEventId = false;
  readonly #taskStatus = new Map<string, TaskStatus>();
  readonly #serverStatus = new Map<string, string>();
  readonly #stateListeners = new Set<() => void>();
  readonly #listeners: EventListeners = {
    task: new Set(),
    notification: new Set(),
    notification_state: new Set(),
    server: new Set(),
    alert: new Set(),
    role_run: new Set(),
    settings: new Set(),
    firewall: new Set(),
    reload: new Set(),
  };
  readonly #cacheUpdates: EventHandlers = {
    task: (event) => {
      this.#onTask(event);
    },
    notification: () => {
      this.#refreshNotifications();
    },
    notification_state: () => {
      this.#refreshNotifications();
    },
    server: (event) => {
      this.#onServer(event);
    },
    alert: () => {
      // Raised, resolved, acknowledged or cleared: the alert lists and the monitoring summary's count.
      void this.#queryClient.invalidateQueries({ queryKey: ['alerts'] });
      void this.#queryClient.invalidateQueries({ queryKey: ['monitoring'] });
    },
    role_run: (event) => {
      this.#onRoleRun(event);
    },
    settings: () => {
      // Monitoring settings changed (thresholds, Prometheus, Grafana): every monitoring view reads them again.
      void this.#queryClient.invalidateQueries({ queryKey: queryKeys.monitoring.all });
    },
    firewall: () => {
      // Groups, rules, IP sets, aliases, servers' groups or drift changed: every firewall view reads again.
      void this.#queryClient.invalidateQueries({ queryKey: queryKeys.firewall.all });
    },
    reload: () => {
      void this.#queryClient.invalidateQueries();
    },
  };

  constructor(queryClient: QueryClient, options: LiveEventsOptions = {}) {
    this.#queryClient = queryClient;
    this.#url = options.url ?? STREAM_PATH;
    this.#createSource = options.createSource ?? browserEventSource;
    this.#backoff = options.backoff ?? reconnectDelay;
    this.#checkSession = options.checkSession ?? checkSessionThroughApi;
  }

  get state(): LiveState {
    return this.#state;
  }

  /** Calls `listener` on every change of `state` (the shape useSyncExternalStore wants). */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.#stateListeners.add(listener);
    return () => {
      this.#stateListeners.delete(listener);
    };
  };

  /** Calls `handler` with every `event` that arrives, after the caches were updated. */
  on<E extends SseEventName>(event: E, handler: (data: SseEventMap[E]) => void): () => void {
    const listeners: Set<(data: SseEventMap[E]) => void> = this.#listeners[event];
    listeners.add(handler);
    return () => {
      listeners.delete(handler);
    };
  }

  /** Opens the stream (once: calling it again while it runs does nothing). */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#openedBefore = false;
    this.#attempts = 0;
    this.#connect('connecting');
  }

  /** Closes the stream and forgets it: nobody is signed in. */
  stop(): void {
    if (!this.#running) return;
    this.#running = false;
    this.#generation += 1;
    if (this.#retryTimer !== null) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#source?.close();
    this.#source = null;
    this.#taskStatus.clear();
    this.#serverStatus.clear();
    this.#setState('closed');
  }

  #setState(state: LiveState): void {
    if (state === this.#state) return;
    this.#state = state;
    for (const listener of [...this.#stateListeners]) listener();
  }

  #connect(state: 'connecting' | 'reconnecting'): void {
    const source = this.#createSource(this.#url);
    if (!source) {
      this.#setState('closed');
      return;
    }
    this.#generation += 1;
    const generation = this.#generation;
    const isCurrent = () => generation === this.#generation;
    let sourceOpened = false;
    this.#source = source;
    this.#sawEventId = false;

    source.addEventListener('open', () => {
      if (!isCurrent()) return;
      // A new EventSource cannot resume, and one that never saw an id resumes from nothing: what changed
      // while it was away is fetched again.
      const missedEvents = this.#openedBefore && (!sourceOpened || !this.#sawEventId);
      sourceOpened = true;
      this.#openedBefore = true;
      this.#attempts = 0;
      this.#setState('open');
      if (missedEvents) void this.#queryClient.invalidateQueries();
    });
    source.addEventListener('error', () => {
      if (isCurrent()) this.#onError(source);
    });
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (event: MessageEvent<unknown>) => {
        if (isCurrent()) this.#receive(name, event);
      });
    }
    this.#setState(state);
  }

  #onError(source: EventSourceLike): void {
    this.#setState('reconnecting');
    // Still connecting: the browser tries again by itself (network drop, API restarting).
    if (source.readyState !== CLOSED) return;
    // Closed for good (an HTTP error: 401 when the session is gone, 5xx): ask whether the session is still
    // there, and make a new one after a while if it is.
    source.close();
    this.#source = null;
    this.#generation += 1;
    const generation = this.#generation;
    void this.#checkSession()
      .catch(() => undefined)
      .then(() => {
        if (generation !== this.#generation || !this.#running) return;
        this.#attempts += 1;
        this.#retryTimer = setTimeout(() => {
          this.#retryTimer = null;
          if (generation === this.#generation && this.#running) this.#connect('reconnecting');
        }, this.#backoff(this.#attempts));
      });
  }

  #receive(name: SseEventName, event: MessageEvent<unknown>): void {
    if (event.lastEventId) this.#sawEventId = true;
    if (typeof event.data !== 'string') return;
    let data: SseEventMap[SseEventName];
    try {
      // The API writes each event's data from the same map (libs/contracts/src/events.ts).
      data = JSON.parse(event.data) as SseEventMap[SseEventName];
    } catch {
      return;
    }
    this.#deliver(name, data);
  }

  #deliver<E extends SseEventName>(name: E, data: SseEventMap[E]): void {
    this.#cacheUpdates[name](data);
    for (const listener of [...this.#listeners[name]]) listener(data);
  }

  /** A notification arrived, or this user read, hid or cleared some (perhaps in another tab). */
  #refreshNotifications(): void {
    void this.#queryClient.invalidateQueries({ queryKey: queryKeys.notifications.lists() });
    void this.#queryClient.invalidateQueries({ queryKey: queryKeys.notifications.latests() });
    void this.#queryClient.invalidateQueries({ queryKey: queryKeys.notifications.unreadCount() });
  }

  #onTask(event: TaskEvent): void {
    const key = queryKeys.tasks.detail(event.task_id);
    const cached = this.#queryClient.getQueryData<Task>(key);
    const pages = this.#queryClient
      .getQueriesData<TaskPage>({ queryKey: queryKeys.tasks.lists() })
      .filter(([, page]) => page?.items.some((task) => task.task_id === event.task_id));
    const listed = pages[0]?.[1]?.items.find((task) => task.task_id === event.task_id);
    const previous = this.#taskStatus.get(event.task_id) ?? cached?.status ?? listed?.status;
    this.#rememberStatus(event.task_id, event.status);
    if (cached) this.#queryClient.setQueryData<Task>(key, applyTaskEvent(cached, event));
    // The lists' rows show progress too: a task on a cached page is patched in place.
    for (const [listKey, page] of pages) {
      if (!page) continue;
      this.#queryClient.setQueryData<TaskPage>(listKey, {
        ...page,
        items: page.items.map((task) =>
          task.task_id === event.task_id ? applyTaskEvent(task, event) : task,
        ),
      });
    }
    // A task that started or finished has times (and then a result or an error) the event does not carry.
    if (previous !== event.status || isFinalTaskStatus(event.status))
      void this.#queryClient.invalidateQueries({ queryKey: key });
    // A finished task may have made, restored or pruned backups: the backup views on screen read them again.
    if (previous !== event.status && isFinalTaskStatus(event.status))
      void this.#queryClient.invalidateQueries({ queryKey: queryKeys.backups.all }, { cancelRefetch: false });
    // Lists show and filter by status: a new task or another status changes them, progress alone does not.
    // A refresh already under way is kept rather than restarted by each of many events.
    if (previous !== event.status)
      void this.#queryClient.invalidateQueries(
        { queryKey: queryKeys.tasks.lists() },
        { cancelRefetch: false },
      );
  }

  #onServer(event: ServerEvent): void {
    const detailKey = queryKeys.servers.detail(event.name);
    const cached = this.#queryClient.getQueryData<Server>(detailKey);
    const statuses = new Set<string>();
    const remembered = this.#serverStatus.get(event.name);
    if (remembered !== undefined) statuses.add(remembered);
    if (cached) {
      statuses.add(cached.status);
      this.#queryClient.setQueryData<Server>(detailKey, applyServerEvent(cached, event));
    }
    for (const [key, page] of this.#queryClient.getQueriesData<ServerPage>({
      queryKey: queryKeys.servers.lists(),
    })) {
      if (!page?.items.some((server) => server.name === event.name)) continue;
      const items = page.items.map((server) => {
        if (server.name !== event.name) return server;
        statuses.add(server.status);
        return applyServerEvent(server, event);
      });
      this.#queryClient.setQueryData<ServerPage>(key, { ...page, items });
    }
    this.#remember(this.#serverStatus, event.name, event.status);
    // Lists filter by status: a server seen nowhere yet, or another status, may change which servers a page
    // holds; live figures alone do not. A refresh already under way is kept rather than restarted.
    const statusChanged = statuses.size === 0 || [...statuses].some((status) => status !== event.status);
    if (!statusChanged) return;
    void this.#queryClient.invalidateQueries(
      { queryKey: queryKeys.servers.lists() },
      { cancelRefetch: false },
    );
    void this.#queryClient.invalidateQueries(
      { queryKey: queryKeys.servers.cluster() },
      { cancelRefetch: false },
    );
    // A VM that stopped or started again has applied its pending changes: its configuration (and disks) differ.
    void this.#queryClient.invalidateQueries({ queryKey: queryKeys.servers.config(event.name) });
  }

  #onRoleRun(event: RoleRunEvent): void {
    // The run's output as it comes, added to the cached run (read again when lines were missed).
    const key = queryKeys.roles.run(event.run_id);
    const cached = this.#queryClient.getQueryData<RoleRun>(key);
    if (cached) {
      const next = applyRoleRunEvent(cached, event);
      if (next === null) void this.#queryClient.invalidateQueries({ queryKey: key });
      else if (next !== cached) this.#queryClient.setQueryData<RoleRun>(key, next);
    }
    if (event.status === 'running') return;
    // A run ended: its history, its stored log and end time, and (when it changed a server's role) the servers.
    void this.#queryClient.invalidateQueries({ queryKey: queryKeys.roles.all });
    void this.#queryClient.invalidateQueries({ queryKey: queryKeys.servers.all });
  }

  #rememberStatus(taskId: string, status: TaskStatus): void {
    this.#remember(this.#taskStatus, taskId, status);
  }

  /** Remembers the newest statuses only (a bounded map, oldest dropped first). */
  #remember<S>(statuses: Map<string, S>, id: string, status: S): void {
    statuses.delete(id);
    statuses.set(id, status);
    if (statuses.size > REMEMBERED_STATUSES) {
      const oldest = statuses.keys().next();
      if (!oldest.done) statuses.delete(oldest.value);
    }
  }
}

const installed = new WeakMap<QueryClient, LiveEvents>();

/** The stream of the tab using `queryClient`, when installLiveEvents was called for it. */
export function liveEventsOf(queryClient: QueryClient): LiveEvents | undefined {
  return installed.get(queryClient);
}

/**
 * Opens the stream while a user is signed in (the session query says `authenticated`) and closes it when
 * they sign out or their session expires. Returns the uninstall function.
 */
export function installLiveEvents(queryClient: QueryClient, options: LiveEventsOptions = {}): () => void {
  const live = new LiveEvents(queryClient, options);
  installed.set(queryClient, live);
  const sessionHash = hashKey(sessionQueryOptions.queryKey);
  const follow = () => {
    const session = queryClient.getQueryData(sessionQueryOptions.queryKey);
    if (session?.status === 'authenticated') live.start();
    else live.stop();
  };
  const unsubscribe = queryClient.getQueryCache().subscribe((event) => {
    if (event.query.queryHash === sessionHash) follow();
  });
  follow();
  return () => {
    unsubscribe();
    live.stop();
    if (installed.get(queryClient) === live) installed.delete(queryClient);
  };
}

const noSubscription = () => () => undefined;

/** The stream's state, for the header's indicator and for pages that poll only without it. */
export function useLiveState(): LiveState {
  const live = liveEventsOf(useQueryClient());
  return useSyncExternalStore(
    live?.subscribe ?? noSubscription,
    () => live?.state ?? 'closed',
    () => 'closed',
  );
}

/** Calls `handler` with each `event` arriving on the stream while the component is mounted. */
export function useLiveEvent<E extends SseEventName>(
  event: E,
  handler: (data: SseEventMap[E]) => void,
): void {
  const live = liveEventsOf(useQueryClient());
  const latest = useRef(handler);
  useEffect(() => {
    latest.current = handler;
  });
  useEffect(
    () =>
      live?.on(event, (data) => {
        latest.current(data);
      }),
    [live, event],
  );
}

/** A query's `refetchInterval`: no polling while the stream is open (its events keep data fresh), else `ms`. */
export function usePollInterval(ms: number): number | false {
  return useLiveState() === 'open' ? false : ms;
}
