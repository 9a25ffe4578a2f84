import { waitFor } from '@proxdeck/testing';
import type { Caller } from './test-app';

const FINAL = ['completed', 'failed', 'partial', 'cancelled'];

/** A task's status (GET /api/tasks/<id>/status) once it has ended, read by `caller` every 100 ms. */
export async function taskFinished<T extends { status: string }>(
  caller: Caller,
  taskId: string,
  timeoutMs = 60_000,
): Promise<T> {
  return waitFor(
    async () => {
      const task = (await caller.request('GET', `/api/tasks/${taskId}/status`)).json<{ data: T }>().data;
      return FINAL.includes(task.status) ? task : undefined;
    },
    { timeoutMs, intervalMs: 100, what: `task ${taskId}` },
  );
}

/** The task id of a 202; any other answer fails the test with the body. */
export function acceptedTaskId(response: { status: number; json: <J>() => J; body: string }): string {
  if (response.status !== 202)
    throw new Error(`expected 202, got ${String(response.status)}: ${response.body}`);
  return response.json<{ data: { task_id: string } }>().data.task_id;
}
