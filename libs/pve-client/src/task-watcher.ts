/**
 * One watcher per cluster follows every task anyone waits for. Each interval it makes ONE
 * `GET /cluster/tasks` request and settles every waiter whose task has ended, so the request rate does not
 * grow with the number of tasks followed. Tasks that never show up there (an API token without `Sys.Audit`
 * on `/` sees none of its own tasks in `/cluster/tasks`, docs/pve-semantics.md §4.2) are followed through one
 * `GET /nodes/{node}/tasks` request per node and interval instead.
 */
import { PveApiError, PveTaskFailedError } from './errors';
import type { PveTaskListItem, PveTaskLogLine } from './types';
import { isTaskSuccess, parseUpid } from './upid';

export interface PveTaskResult {
  upid: string;
  node: string;
  type: string;
  id: string;
  starttime: number;
  endtime?: number;
  exitstatus: string;
  /** `OK` or `WARNINGS: n`. */
  ok: boolean;
  /** The last lines of the task log (`TASK OK` / `TASK ERROR: …` last). */
  logTail: string[];
}

/** What the watcher needs from a client; PveClient implements it. */
export interface PveTaskSource {
  clusterTasks(): Promise<PveTaskListItem[]>;
  nodeTasks(
    node: string,
    params: { source: 'all'; since?: number; limit?: number },
  ): Promise<PveTaskListItem[]>;
  taskLog(
    upid: string,
    params?: { start?: number; limit?: number },
  ): Promise<{ lines: PveTaskLogLine[]; total: number }>;
}

export type TaskWatchMode = 'cluster' | 'node' | 'auto';

export interface PveTaskWatcherOptions {
  /** Poll interval; default 2000 ms. */
  intervalMs?: number;
  /** `auto` (default) starts with /cluster/tasks and falls back per task to the node list. */
  mode?: TaskWatchMode;
  /** Cluster polls a task may be missing from /cluster/tasks before `auto` follows it per node; default 3. */
  clusterMissesBeforeNodeFallback?: number;
  /** Log lines kept in the result; default 20. 0 = do not read logs (one request less per finished task). */
  logTailLines?: number;
  /** Called when a poll fails; polling continues. */
  onPollError?: (error: unknown) => void;
}

export interface WaitForTaskOptions {
  /** Reject with an Error after this long; default: wait forever. */
  timeoutMs?: number;
  /** Reject with PveTaskFailedError when the task ends with an error. Default false (resolve with ok:false). */
  throwOnFailure?: boolean;
  signal?: AbortSignal;
}

interface Waiter {
  upid: string;
  node: string;
  starttime: number;
  viaNode: boolean;
  clusterMisses: number;
  settle: (result: PveTaskResult) => void;
  reject: (error: Error) => void;
}

export class PveTaskWatcher {
  private readonly waiters = new Map<string, Waiter[]>();
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly mode: TaskWatchMode;
  private readonly missLimit: number;
  private readonly logTailLines: number;
  /** Number of list requests made (cluster + node), for tests and the benchmark. */
  pollRequests = 0;

  constructor(
    private readonly source: PveTaskSource,
    private readonly options: PveTaskWatcherOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 2000;
    this.mode = options.mode ?? 'auto';
    this.missLimit = options.clusterMissesBeforeNodeFallback ?? 3;
    this.logTailLines = options.logTailLines ?? 20;
  }

  /** Tasks currently followed. */
  get followedCount(): number {
    return this.waiters.size;
  }

  watch(upid: string, options: WaitForTaskOptions = {}): Promise<PveTaskResult> {
    const parsed = parseUpid(upid);
    if (!parsed) return Promise.reject(new Error(`not a UPID: ${upid}`));
    if (this.stopped) return Promise.reject(new Error('task watcher is stopped'));
    return new Promise<PveTaskResult>((resolve, reject) => {
      let timeout: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        if (timeout) clearTimeout(timeout);
        options.signal?.removeEventListener('abort', onAbort);
      };
      const waiter: Waiter = {
        upid,
        node: parsed.node,
        starttime: parsed.starttime,
        viaNode: this.mode === 'node',
        clusterMisses: 0,
        settle: (result) => {
          cleanup();
          if (!result.ok && options.throwOnFailure) {
            reject(new PveTaskFailedError(upid, result.exitstatus, result.logTail));
          } else resolve(result);
        },
        reject: (error) => {
          cleanup();
          reject(error);
        },
      };
      const onAbort = (): void => {
        this.remove(waiter);
        waiter.reject(new Error(`waiting for ${upid} aborted`));
      };
      if (options.signal?.aborted) {
        reject(new Error(`waiting for ${upid} aborted`));
        return;
      }
      options.signal?.addEventListener('abort', onAbort);
      if (options.timeoutMs !== undefined) {
        timeout = setTimeout(() => {
          this.remove(waiter);
          waiter.reject(new Error(`task ${upid} did not finish within ${options.timeoutMs ?? 0} ms`));
        }, options.timeoutMs);
      }
      const list = this.waiters.get(upid) ?? [];
      list.push(waiter);
      this.waiters.set(upid, list);
      this.schedule();
    });
  }

  /** Stops polling and rejects every waiter. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const list of this.waiters.values())
      for (const w of list) w.reject(new Error('task watcher stopped'));
    this.waiters.clear();
  }

  private remove(waiter: Waiter): void {
    const list = this.waiters.get(waiter.upid)?.filter((w) => w !== waiter) ?? [];
    if (list.length === 0) this.waiters.delete(waiter.upid);
    else this.waiters.set(waiter.upid, list);
  }

  /** The next poll is one interval away, also after an idle period: the rate stays one request per interval. */
  private schedule(): void {
    if (this.timer || this.polling || this.stopped || this.waiters.size === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.poll();
    }, this.intervalMs);
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      const finished = new Map<string, PveTaskListItem>();
      const all = [...this.waiters.values()].flat();
      const viaCluster = all.filter((w) => !w.viaNode);
      if (viaCluster.length > 0) {
        try {
          this.pollRequests++;
          const tasks = await this.source.clusterTasks();
          const byUpid = new Map(tasks.map((t) => [t.upid, t]));
          for (const w of viaCluster) {
            const item = byUpid.get(w.upid);
            if (item) {
              w.clusterMisses = 0;
              if (isEnded(item)) finished.set(w.upid, item);
            } else if (this.mode === 'auto' && ++w.clusterMisses >= this.missLimit) {
              w.viaNode = true;
            }
          }
        } catch (error) {
          this.options.onPollError?.(error);
          if (
            this.mode === 'auto' &&
            error instanceof PveApiError &&
            (error.status === 403 || error.status === 401)
          ) {
            for (const w of viaCluster) w.viaNode = true;
          }
        }
      }
      const viaNode = all.filter((w) => w.viaNode && !finished.has(w.upid));
      const nodes = new Map<string, number>();
      for (const w of viaNode) nodes.set(w.node, Math.min(nodes.get(w.node) ?? Infinity, w.starttime));
      for (const [node, since] of nodes) {
        try {
          this.pollRequests++;
          const tasks = await this.source.nodeTasks(node, { source: 'all', since: since - 1, limit: 10000 });
          const byUpid = new Map(tasks.map((t) => [t.upid, t]));
          for (const w of viaNode) {
            const item = w.node === node ? byUpid.get(w.upid) : undefined;
            if (item && isEnded(item)) finished.set(w.upid, item);
          }
        } catch (error) {
          this.options.onPollError?.(error);
        }
      }
      await Promise.all([...finished.values()].map((item) => this.finish(item)));
    } finally {
      this.polling = false;
      this.schedule();
    }
  }

  private async finish(item: PveTaskListItem): Promise<void> {
    const waiters = this.waiters.get(item.upid);
    if (!waiters) return;
    this.waiters.delete(item.upid);
    let logTail: string[] = [];
    if (this.logTailLines > 0) {
      try {
        const log = await this.source.taskLog(item.upid, { start: 0, limit: 0 });
        logTail = log.lines.slice(-this.logTailLines).map((l) => l.t);
      } catch (error) {
        this.options.onPollError?.(error);
      }
    }
    const exitstatus = item.status ?? 'unknown';
    const result: PveTaskResult = {
      upid: item.upid,
      node: item.node,
      type: item.type,
      id: item.id,
      starttime: item.starttime,
      ...(item.endtime !== undefined ? { endtime: item.endtime } : {}),
      exitstatus,
      ok: isTaskSuccess(exitstatus),
      logTail,
    };
    for (const w of waiters) w.settle(result);
  }
}

function isEnded(item: PveTaskListItem): boolean {
  return item.status !== undefined && item.status !== 'RUNNING' && item.status !== '';
}
