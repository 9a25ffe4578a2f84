/** Task vocabulary shared by the API, the workers and the SPA (docs/api.md §4). */
export const TASK_STATUSES = ['queued', 'running', 'completed', 'failed', 'partial', 'cancelled'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export const FINAL_TASK_STATUSES: readonly TaskStatus[] = ['completed', 'failed', 'partial', 'cancelled'];

export function isFinalTaskStatus(status: TaskStatus): boolean {
  return FINAL_TASK_STATUSES.includes(status);
}

// Task types are not listed here: the API's job table (apps/api/src/platform/queue/jobs.ts) is their one
// list, and the SPA reads them from the OpenAPI document (TaskDto.type).

export const TASK_ITEM_STATUSES = [
  'queued',
  'running',
  'completed',
  'failed',
  'skipped',
  'cancelled',
] as const;
export type TaskItemStatus = (typeof TASK_ITEM_STATUSES)[number];
