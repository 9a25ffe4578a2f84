import type { TaskType } from '@proxdeck/contracts';

/** Bull queues. Jobs are spread over queues so a flood of one kind does not starve another. */
export const QUEUE_NAMES = ['system'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/** The input of each job type, stored with its task (never secrets in clear). */
export interface JobPayloads {
  'test.simple': { echo: string; duration_ms: number };
  'test.error': { message: string; duration_ms: number };
}

export interface JobDefinition {
  queue: QueueName;
  /** Tries in all, the first included. A job is safe to run twice: it loads fresh state by task id. */
  attempts: number;
  /** Exponential backoff base between tries. */
  backoffMs: number;
  /** Bull fails a try that runs longer than this. */
  timeoutMs: number;
}

/** The one table of jobs: every task type, its queue and its retry policy. Enqueueing is typed by it. */
export const JOBS: Readonly<Record<TaskType, JobDefinition>> = {
  'test.simple': { queue: 'system', attempts: 2, backoffMs: 500, timeoutMs: 120_000 },
  'test.error': { queue: 'system', attempts: 1, backoffMs: 0, timeoutMs: 60_000 },
};

/** What Bull carries: only the task id. The payload lives in the task row. */
export interface JobData {
  taskId: string;
}
