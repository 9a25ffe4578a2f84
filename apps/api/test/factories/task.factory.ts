import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { TaskStatus } from '@proxdeck/contracts';
import type { Task, TaskItem } from '../../src/platform/queue/task.entity';
import { TaskStore } from '../../src/platform/queue/task-store';

export interface TaskOverrides {
  type?: string;
  status?: TaskStatus;
  createdBy?: number | null;
  payload?: Record<string, unknown>;
  items?: (Partial<TaskItem> & { name: string })[];
  result?: Record<string, unknown> | null;
  error?: string | null;
  createdAt?: Date;
  finishedAt?: Date | null;
}

const FINAL: readonly TaskStatus[] = ['completed', 'failed', 'partial', 'cancelled'];

/**
 * Task rows in any state, written to the table without a Bull job: for tests of what reads tasks (lists,
 * visibility, pruning, the reconciler). Jobs that should run are started through JobQueue.enqueue instead.
 */
export const TaskFactory = {
  build(overrides: TaskOverrides = {}): Partial<Task> & { id: string } {
    const status = overrides.status ?? 'completed';
    const final = FINAL.includes(status);
    return {
      id: randomUUID(),
      type: overrides.type ?? 'test.simple',
      status,
      progress: final ? 100 : 0,
      message: final ? 'Completed' : 'Queued',
      items: (overrides.items ?? []).map((item) => ({
        status: 'queued',
        step: null,
        progress: 0,
        error: null,
        pve_upids: [],
        ...item,
      })),
      steps: [],
      payload: overrides.payload ?? { echo: 'factory', duration_ms: 0 },
      result: overrides.result ?? null,
      error: overrides.error ?? null,
      attempts: status === 'queued' ? 0 : 1,
      createdBy: overrides.createdBy ?? null,
      ...(overrides.createdAt ? { createdAt: overrides.createdAt } : {}),
      finishedAt: overrides.finishedAt !== undefined ? overrides.finishedAt : final ? new Date() : null,
    };
  },

  async create(app: INestApplicationContext, overrides: TaskOverrides = {}): Promise<Task> {
    const store = app.get(TaskStore);
    const task = store.repository.create(TaskFactory.build(overrides));
    await store.repository.save(task);
    return store.repository.findOneByOrFail({ id: task.id });
  },
};
