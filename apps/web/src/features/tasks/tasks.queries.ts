/**
 * Tasks (docs/api.md §4): the caller's tasks (every task with view_all) a page at a time, filtered by status
 * and type, and one task with its items. The live stream (lib/sse.ts) patches both from `task` events, so
 * they poll only while the stream is not open (`usePollInterval`).
 */
import { keepPreviousData, queryOptions } from '@tanstack/react-query';
import { api, toApiError, unwrap, type Schemas } from '../../lib/api';
import { queryKeys, type TaskListQuery } from '../../lib/query-keys';

export type Task = Schemas['TaskDto'];
export type TaskItem = Schemas['TaskItemDto'];
export type TaskType = Task['type'];
export type { TaskListQuery };

/** Every task type the API knows, in the order the type filter offers them (a new one fails typecheck here). */
export const TASK_TYPES = Object.keys({
  'test.simple': true,
  'test.error': true,
  'servers.create': true,
  'servers.sync': true,
  'servers.cleanup': true,
  'servers.action': true,
  'servers.disk': true,
  'firewall.assign': true,
  'firewall.rename': true,
  'backups.run': true,
  'backups.restore': true,
  'backups.job-run': true,
  'roles.run': true,
} satisfies Record<TaskType, true>) as TaskType[];

/** Tasks per page of the tasks page. */
export const PAGE_SIZE = 20;
/** How often task views ask again while the live stream is not open. */
export const TASK_POLL_MS = 5_000;

/** One page of GET /api/tasks/status, as cached under `queryKeys.tasks.list(query)`. */
export interface TaskPage {
  items: Task[];
  pagination: { page: number; per_page: number; total: number; pages: number };
}

export async function fetchTaskPage(query: TaskListQuery): Promise<TaskPage> {
  const { data, error, response } = await api.GET('/api/tasks/status', { params: { query } });
  if (data === undefined) throw toApiError(error, response);
  return { items: data.data, pagination: data.pagination };
}

export const taskListQueryOptions = (query: TaskListQuery) =>
  queryOptions({
    queryKey: queryKeys.tasks.list(query),
    queryFn: () => fetchTaskPage(query),
    // Another page or filter keeps showing the previous answer until the new one is there.
    placeholderData: keepPreviousData,
  });

export const taskQueryOptions = (taskId: string) =>
  queryOptions({
    queryKey: queryKeys.tasks.detail(taskId),
    queryFn: () => unwrap(api.GET('/api/tasks/{task_id}/status', { params: { path: { task_id: taskId } } })),
  });

/** Milliseconds from start to end (to now while it runs); null before it started. */
export function taskDurationMs(task: Pick<Task, 'started_at' | 'finished_at'>, now: number): number | null {
  if (!task.started_at) return null;
  const start = Date.parse(task.started_at);
  const end = task.finished_at ? Date.parse(task.finished_at) : now;
  return Number.isNaN(start) || Number.isNaN(end) ? null : Math.max(0, end - start);
}
