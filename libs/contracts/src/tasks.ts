/** Task vocabulary shared by the API, the workers and the SPA (api.md §4). */
export const TASK_STATUSES = ['queued', 'running', 'completed', 'failed', 'partial', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const FINAL_TASK_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'partial', 'cancelled'];

export function isFinalTaskStatus(status: TaskStatus): boolean {
  return FINAL_TASK_STATUSES.includes(status);
}

/** Every kind of long job Proxdeck runs. The API's job table maps each to its queue and options. */
export const TASK_TYPES = ['test.simple', 'test.error'] as const;
export type TaskType = (typeof TASK_TYPES)[number];

export const TASK_ITEM_STATUSES = ['queued', 'running', 'completed', 'failed', 'skipped'] as const;
export type TaskItemStatus = (typeof TASK_ITEM_STATUSES)[number];
