import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bull';
import type { TaskType } from '@proxdeck/contracts';
import type { JobCounts, Queue } from 'bull';
import { JOBS, QUEUE_NAMES, type JobData, type JobPayloads, type QueueName } from './jobs';
import { Task, type TaskItem } from './task.entity';
import { TaskStore } from './task-store';

/** The one way to start a long job: a durable task row, then its Bull job (api.md §4). */
@Injectable()
export class JobQueue {
  private readonly queues = new Map<QueueName, Queue<JobData>>();

  constructor(
    private readonly store: TaskStore,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Records a task and enqueues its job. Typed by the job table: the payload must match the type. */
  async enqueue<T extends TaskType>(
    type: T,
    payload: JobPayloads[T],
    options: { createdBy: number | null; items?: string[]; message?: string },
  ): Promise<Task> {
    const definition = JOBS[type];
    const items: TaskItem[] = (options.items ?? []).map((name) => ({
      name,
      status: 'queued',
      step: null,
      progress: 0,
      error: null,
      pve_upids: [],
    }));
    const task = this.store.repository.create({
      id: randomUUID(),
      type,
      status: 'queued',
      progress: 0,
      message: options.message ?? 'Queued',
      items,
      payload: payload as unknown as Record<string, unknown>,
      result: null,
      error: null,
      attempts: 0,
      createdBy: options.createdBy,
    });
    await this.store.insert(task);
    await this.queue(definition.queue).add(
      type,
      { taskId: task.id },
      {
        jobId: task.id,
        attempts: definition.attempts,
        backoff: definition.backoffMs > 0 ? { type: 'exponential', delay: definition.backoffMs } : undefined,
        timeout: definition.timeoutMs,
      },
    );
    return task;
  }

  /** Job counts per queue. */
  async counts(): Promise<Record<QueueName, JobCounts>> {
    const entries = await Promise.all(
      QUEUE_NAMES.map(async (name) => [name, await this.queue(name).getJobCounts()] as const),
    );
    return Object.fromEntries(entries) as Record<QueueName, JobCounts>;
  }

  queue(name: QueueName): Queue<JobData> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = this.moduleRef.get<Queue<JobData>>(getQueueToken(name), { strict: false });
      this.queues.set(name, queue);
    }
    return queue;
  }
}
