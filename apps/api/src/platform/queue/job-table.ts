import type { Permission } from '@proxdeck/contracts';

/**
 * The shape of a job table: every job type a table names, its queue, tries, backoff and timeout, and (as a
 * type only) its payload. The application's table is `jobs.ts`; tests build their own tables of fixture jobs.
 * Everything typed by a table (enqueueing, handlers, contexts) is checked by the compiler against it.
 */
export interface JobOptions {
  /** The Bull queue: jobs are spread over queues so that a flood of one kind does not starve another. */
  queue: string;
  /** Tries in all, the first included. A job is safe to run twice: it loads fresh state by task id. */
  attempts: number;
  /** Exponential backoff base between tries; 0 = none. */
  backoffMs: number;
  /** Bull fails a try that runs longer than this. */
  timeoutMs: number;
  /**
   * Its creator may run it again for its failed and cancelled items (POST /api/tasks/<id>/retry) while they
   * hold this permission. Absent: the task cannot be retried.
   */
  retryableBy?: Permission;
  /**
   * Its items not yet started may be cancelled (POST /api/tasks/<id>/cancel) by its creator, or by anyone
   * holding this permission. Absent: the task cannot be cancelled.
   */
  cancellableBy?: Permission;
}

declare const PAYLOAD: unique symbol;

/** A job's options, carrying its payload type for the compiler (never a value at run time). */
export interface JobDefinition<Payload extends object> extends JobOptions {
  readonly [PAYLOAD]?: Payload;
}

/** Declares one job of a table: `job<{ echo: string }>({ queue: 'system', ... })`. */
export function job<Payload extends object>(options: JobOptions): JobDefinition<Payload> {
  return options;
}

export type JobTable = Readonly<Record<string, JobDefinition<object>>>;

export type JobTypeOf<Table extends JobTable> = keyof Table & string;

export type PayloadOf<Table extends JobTable, Type extends JobTypeOf<Table>> =
  Table[Type] extends JobDefinition<infer Payload> ? Payload : never;

/** The queues a table's jobs use, each once. */
export function queueNamesOf(table: JobTable): string[] {
  return [...new Set(Object.values(table).map((definition) => definition.queue))].sort();
}

/** What Bull carries: only the task id. The payload lives in the task row. */
export interface JobData {
  taskId: string;
}
