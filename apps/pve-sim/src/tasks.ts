/**
 * Worker tasks like PVE's fork_worker: a UPID with exact hex widths, a log of `{n,t}` lines ending in
 * `TASK OK` / `TASK WARNINGS: n` / `TASK ERROR: …`, durations scaled by `timeScale`.
 * Also the per-VM flock (`/var/lock/qemu-server/lock-<vmid>.conf`, shared or exclusive, 10 s wait).
 */
import { formatUpid } from '@proxdeck/pve-client';
import type { ClusterState } from './state/cluster-state';
import type { SimTask } from './state/model';

export class TaskError extends Error {}

export interface TaskHandle {
  readonly task: SimTask;
  log(line: string): void;
  warn(line: string): void;
  /** Waits `ms` of simulated time (scaled by timeScale). */
  sleep(ms: number): Promise<void>;
}

export interface TaskManagerOptions {
  timeScale: number;
  /** Kept finished tasks per node. */
  historyLimit?: number;
  /** Called when a task changes (for persistence). */
  onChange?: () => void;
  /** Decides whether a task of this type should fail (fault injection). */
  injectedFailure?: (type: string, id: string) => string | undefined;
}

/** Workers running now and the most that ran at once, per node (for tests of concurrency limits). */
export interface TaskConcurrency {
  running: Record<string, number>;
  peak: Record<string, number>;
}

export class TaskManager {
  private readonly running = new Set<Promise<void>>();
  private readonly runningByNode = new Map<string, number>();
  private readonly peakByNode = new Map<string, number>();
  private readonly aborted = new Set<string>();
  /** Wakes the sleeps of a task early when it is aborted. */
  private readonly wakers = new Map<string, Set<() => void>>();

  constructor(
    private readonly state: ClusterState,
    private readonly options: TaskManagerOptions,
  ) {}

  get timeScale(): number {
    return this.options.timeScale;
  }

  /** Real milliseconds for `ms` of simulated time. */
  scaled(ms: number): number {
    return Math.max(0, Math.round(ms * this.options.timeScale));
  }

  sleep(ms: number): Promise<void> {
    const real = this.scaled(ms);
    return new Promise((resolve) => setTimeout(resolve, real));
  }

  concurrency(): TaskConcurrency {
    return { running: Object.fromEntries(this.runningByNode), peak: Object.fromEntries(this.peakByNode) };
  }

  /** Starts counting peaks afresh (the running counts stay). */
  resetPeaks(): void {
    this.peakByNode.clear();
    for (const [node, count] of this.runningByNode) this.peakByNode.set(node, count);
  }

  private countRunning(node: string, delta: 1 | -1): void {
    const count = (this.runningByNode.get(node) ?? 0) + delta;
    this.runningByNode.set(node, count);
    if (count > (this.peakByNode.get(node) ?? 0)) this.peakByNode.set(node, count);
  }

  find(upid: string): SimTask | undefined {
    return this.state.data.tasks.find((t) => t.upid === upid);
  }

  /** Starts a worker and returns its UPID at once (before any of the work runs). */
  start(
    node: string,
    type: string,
    id: string,
    user: string,
    work: (task: TaskHandle) => Promise<void>,
    options: { ownFaults?: boolean } = {},
  ): string {
    const now = Math.floor(Date.now() / 1000);
    const pid = this.state.nextPid();
    const pstart = Math.floor((Date.now() - this.state.node(node).bootedAt * 1000) / 10) & 0x7fffffff;
    const upid = formatUpid({ node, pid, pstart, starttime: now, type, id, user });
    const task: SimTask = {
      upid,
      node,
      pid,
      pstart,
      starttime: now,
      type,
      id,
      user,
      status: 'running',
      log: [],
    };
    this.state.data.tasks.push(task);
    let warnings = 0;
    const handle: TaskHandle = {
      task,
      log: (line) => task.log.push(line),
      warn: (line) => {
        warnings++;
        task.log.push(`WARN: ${line}`);
      },
      sleep: async (ms) => {
        await this.abortableSleep(upid, ms);
        if (this.aborted.has(upid)) throw new TaskError('received interrupt');
      },
    };
    const injected = options.ownFaults ? undefined : this.options.injectedFailure?.(type, id);
    this.countRunning(node, 1);
    const run = (async (): Promise<void> => {
      await Promise.resolve(); // never finish synchronously: callers get the UPID first
      try {
        if (injected !== undefined) throw new TaskError(injected);
        await work(handle);
        task.exitstatus = warnings > 0 ? `WARNINGS: ${warnings}` : 'OK';
        task.log.push(warnings > 0 ? `TASK WARNINGS: ${warnings}` : 'TASK OK');
      } catch (error) {
        const message = (error instanceof Error ? error.message : String(error)).replace(/\n+$/, '');
        task.exitstatus = message;
        task.log.push(`TASK ERROR: ${message}`);
      }
      this.aborted.delete(upid);
      this.countRunning(node, -1);
      task.status = 'stopped';
      task.endtime = Math.floor(Date.now() / 1000);
      this.prune(node);
      this.options.onChange?.();
    })();
    this.running.add(run);
    void run.finally(() => this.running.delete(run));
    this.options.onChange?.();
    return upid;
  }

  /** `DELETE …/tasks/{upid}`: the worker stops at its next wait with `received interrupt`. */
  abort(upid: string): void {
    this.aborted.add(upid);
    for (const wake of this.wakers.get(upid) ?? []) wake();
  }

  /** Aborts every running task (simulator shutdown): each ends with `received interrupt`. */
  abortAll(): void {
    for (const task of this.state.data.tasks) if (task.status === 'running') this.abort(task.upid);
  }

  private abortableSleep(upid: string, ms: number): Promise<void> {
    if (this.aborted.has(upid)) return Promise.resolve();
    return new Promise((resolve) => {
      const wakers = this.wakers.get(upid) ?? new Set<() => void>();
      this.wakers.set(upid, wakers);
      const wake = (): void => {
        clearTimeout(timer);
        wakers.delete(wake);
        if (wakers.size === 0) this.wakers.delete(upid);
        resolve();
      };
      const timer = setTimeout(wake, this.scaled(ms));
      wakers.add(wake);
    });
  }

  /** Resolves when every running worker has ended (for clean shutdowns). */
  async drain(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private prune(node: string): void {
    const limit = this.options.historyLimit ?? 1000;
    const tasks = this.state.data.tasks;
    const finished = tasks.filter((t) => t.node === node && t.status === 'stopped');
    if (finished.length <= limit) return;
    const drop = new Set(finished.slice(0, finished.length - limit));
    this.state.data.tasks = tasks.filter((t) => !drop.has(t));
  }
}

type LockMode = 'shared' | 'exclusive';

/** The per-VM config flock. PVE waits 10 s for it and then fails with `can't lock file … - got timeout`. */
export class VmFlocks {
  private readonly holders = new Map<number, { mode: LockMode; count: number }>();
  private readonly waiters = new Map<number, (() => void)[]>();

  constructor(
    private readonly tasks: TaskManager,
    private readonly forcedTimeout: (vmid: number) => boolean,
  ) {}

  static timeoutMessage(vmid: number): string {
    return `can't lock file '/var/lock/qemu-server/lock-${vmid}.conf' - got timeout`;
  }

  isHeld(vmid: number): boolean {
    return this.holders.has(vmid);
  }

  /** Runs `work` under the VM's flock; waits up to 10 s of simulated time for it. */
  async with<T>(vmid: number, mode: LockMode, work: () => Promise<T> | T): Promise<T> {
    await this.acquire(vmid, mode);
    try {
      return await work();
    } finally {
      this.release(vmid);
    }
  }

  async acquire(vmid: number, mode: LockMode): Promise<void> {
    if (this.forcedTimeout(vmid)) {
      await this.tasks.sleep(10_000);
      throw new TaskError(VmFlocks.timeoutMessage(vmid));
    }
    const deadline = Date.now() + this.tasks.scaled(10_000);
    for (;;) {
      const holder = this.holders.get(vmid);
      if (!holder) {
        this.holders.set(vmid, { mode, count: 1 });
        return;
      }
      if (holder.mode === 'shared' && mode === 'shared') {
        holder.count++;
        return;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new TaskError(VmFlocks.timeoutMessage(vmid));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, remaining);
        const list = this.waiters.get(vmid) ?? [];
        function wake(): void {
          clearTimeout(timer);
          resolve();
        }
        list.push(wake);
        this.waiters.set(vmid, list);
      });
    }
  }

  release(vmid: number): void {
    const holder = this.holders.get(vmid);
    if (!holder) return;
    holder.count--;
    if (holder.count > 0) return;
    this.holders.delete(vmid);
    const waiting = this.waiters.get(vmid) ?? [];
    this.waiters.delete(vmid);
    for (const wake of waiting) wake();
  }
}
