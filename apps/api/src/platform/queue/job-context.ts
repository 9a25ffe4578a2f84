import type { TaskItemStatus } from '@proxdeck/contracts';
import type { JobTable, JobTypeOf, PayloadOf } from './job-table';
import type { AppJobs } from './jobs';

/** What a step may return: it is stored as JSON and handed back as is when the step is skipped on a retry. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** The outputs of the steps finished so far in one scope (the task, or one item), by step name. */
export type StepOutputs = Readonly<Record<string, JsonValue>>;

/**
 * Runs `run` as the step `name` of its scope, once: the step's output is recorded durably when it finishes,
 * and a later try of the same task (after a crash or a failure) skips it and returns the recorded output.
 * `run` receives the outputs of the steps finished before it, and must be safe to run twice: a crash between
 * its effect and the record makes the next try run it again.
 */
export type StepFunction = <R extends JsonValue>(
  name: string,
  run: (previous: StepOutputs) => Promise<R>,
) => Promise<R>;

/** What a pveTask's `start` returns when the operation's effect is already in place (see ItemContext.pveTask). */
export const ALREADY_DONE = Symbol('already done');

/** The Proxmox resources an operation occupies, for the governor (TASK_CONCURRENCY_PER_NODE/_STORAGE). */
export interface PveResources {
  node?: string;
  storages?: readonly string[];
}

export interface PveTaskOutcome {
  /** Null when `start` found the operation's effect already in place and started nothing. */
  upid: string | null;
  /** `OK` or `WARNINGS: n`. */
  exitstatus: string;
  /** The task log, when asked for (`log: true`). */
  log?: string[];
}

export interface PveTaskStepOptions {
  /** Held for the whole operation (start and wait); waiting for a slot shows as the item's step. */
  resources?: PveResources;
  /** Read the task log also when the task succeeds. */
  log?: boolean;
}

/** One item of a task (one server of a bulk job): its status, steps and Proxmox work. */
export interface ItemContext {
  readonly name: string;
  update(update: { status?: TaskItemStatus; progress?: number; error?: string | null }): Promise<void>;
  step: StepFunction;
  /**
   * A Proxmox operation as one step: `start` returns the UPID (it runs inside the governor's slot for
   * `resources`); the UPID is recorded on the item, then followed through the cluster's one task watcher.
   * A retry after a crash follows the recorded UPID instead of starting a second operation. Lock errors
   * (`can't lock file …`, `VM is locked (…)`), at the call or as the task's exit status, start it again with
   * backoff (PVE_LOCK_RETRIES, PVE_LOCK_RETRY_DELAY_MS). Any other failure throws PveTaskFailedError with
   * Proxmox's text (its exit status and the end of its log).
   *
   * `start` returns `ALREADY_DONE` when it finds the operation's effect already in place: a try that crashed
   * after Proxmox accepted the operation and before its UPID was recorded must not start a second one. The
   * step then ends with `{ upid: null, exitstatus: 'OK' }`.
   */
  pveTask(
    name: string,
    start: () => Promise<string | typeof ALREADY_DONE>,
    options?: PveTaskStepOptions,
  ): Promise<PveTaskOutcome>;
  /** Runs `work` holding the governor's slots for `resources`. */
  governed<R>(resources: PveResources, work: () => Promise<R>): Promise<R>;
}

export interface ForEachItemOptions {
  /** Items run at once (default 4). */
  concurrency?: number;
  /**
   * Called for each item a cancel (POST /api/tasks/<id>/cancel) kept from starting, after it is marked
   * `cancelled`: undo what was reserved for it before the task ran.
   */
  onCancelled?: (item: ItemContext) => Promise<void>;
}

/** What a job handler gets: ids and the stored payload, and ways to report progress and to resume. */
export interface JobContext<T extends JobTypeOf<Table>, Table extends JobTable = AppJobs> {
  readonly taskId: string;
  readonly type: T;
  readonly payload: Readonly<PayloadOf<Table, T>>;
  /** 1 on the first try. */
  readonly attempt: number;
  readonly createdBy: number | null;
  progress(percent: number, message?: string): Promise<void>;
  /** Task-level steps (recorded on the task). Items have their own. */
  step: StepFunction;
  /** One item of the task, created on first use. */
  item(name: string): ItemContext;
  /**
   * Works through the task's items, `concurrency` at a time: each is marked running, then completed, or
   * failed with its error (one item failing does not stop the others; the task ends `partial`). Items a
   * previous try completed or skipped are not run again. Once a cancel is asked for, items not started are
   * marked `cancelled` instead of run.
   */
  forEachItem(work: (item: ItemContext) => Promise<void>, options?: ForEachItemOptions): Promise<void>;
}

export type JobResult = Record<string, JsonValue> | undefined;

export type JobHandlerFunction<T extends JobTypeOf<Table>, Table extends JobTable = AppJobs> = (
  context: JobContext<T, Table>,
) => Promise<JobResult>;
