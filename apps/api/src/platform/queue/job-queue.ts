import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bull';
import type { Job, JobCounts, JobOptions as BullJobOptions, Queue } from 'bull';
import { queueNamesOf, type JobData, type JobTable, type JobTypeOf, type PayloadOf } from './job-table';
import type { AppJobs } from './jobs';
import { Task, type TaskItem } from './task.entity';
import { TaskStore } from './task-store';

/** The job table the queue module was given (the application's, or a test's fixture table). */
export const JOB_TABLE = Symbol('JobTable');

/**
 * The one way to start a long job (docs/api.md §4): a durable task row first, then its Bull job, whose id is the
 * task's id. A crash between the two leaves a queued row without a job, which the task reconciler finds and
 * enqueues again (`enqueueExisting`); a job whose row is gone is skipped by the runner. So the row and the
 * job can be briefly apart, never lost.
 */
@Injectable()
export class JobQueue<Table extends JobTable = AppJobs> {
  private readonly queues = new Map<string, Queue<JobData>>();
  readonly queueNames: readonly string[];

  constructor(
    private readonly store: TaskStore,
    private readonly moduleRef: ModuleRef,
    @Inject(JOB_TABLE) private readonly table: Table,
  ) {
    this.queueNames = queueNamesOf(table);
  }

  /** Records a task and enqueues its job. Typed by the job table: the payload must match the type. */
  async enqueue<T extends JobTypeOf<Table>>(
    type: T,
    payload: PayloadOf<Table, T>,
    options: { createdBy: number | null; items?: string[]; message?: string },
  ): Promise<Task> {
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
      steps: [],
      payload: payload as Record<string, unknown>,
      result: null,
      error: null,
      attempts: 0,
      createdBy: options.createdBy,
    });
    await this.store.insert(task);
    await this.enqueueExisting(task);
    return task;
  }

  /** Adds the Bull job of a recorded task. Idempotent: Bull ignores a second job with the same id. */
  async enqueueExisting(task: Pick<Task, 'id' | 'type'>): Promise<void> {
    const definition = this.definitionOf(task.type);
    if (!definition) throw new Error(`no job type "${task.type}" in the job table`);
    await this.queue(definition.queue).add(
      task.type,
      { taskId: task.id },
      this.jobOptions(task.id, definition),
    );
  }

  /**
   * Runs an ended task again (its items ready for it: TaskStore.prepareRetry): the Bull job of its last run,
   * kept a while after it ended, is removed first, since Bull ignores a second job with the same id.
   */
  async enqueueRetry(task: Pick<Task, 'id' | 'type'>): Promise<void> {
    const previous = await this.findJob(task);
    if (previous) await previous.remove();
    await this.enqueueExisting(task);
  }

  /** A task's Bull job, while Bull holds it (waiting, delayed, active, or kept a while after it ended). */
  async findJob(task: Pick<Task, 'id' | 'type'>): Promise<Job<JobData> | null> {
    const definition = this.definitionOf(task.type);
    return definition ? this.queue(definition.queue).getJob(task.id) : null;
  }

  definitionOf(type: string): Table[JobTypeOf<Table>] | undefined {
    return Object.prototype.hasOwnProperty.call(this.table, type)
      ? this.table[type as JobTypeOf<Table>]
      : undefined;
  }

  /** Job counts per queue. */
  async counts(): Promise<Record<string, JobCounts>> {
    const entries = await Promise.all(
      this.queueNames.map(async (name) => [name, await this.queue(name).getJobCounts()] as const),
    );
    return Object.fromEntries(entries);
  }

  queue(name: string): Queue<JobData> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = this.moduleRef.get<Queue<JobData>>(getQueueToken(name), { strict: false });
      this.queues.set(name, queue);
    }
    return queue;
  }

  private jobOptions(taskId: string, definition: Table[JobTypeOf<Table>]): BullJobOptions {
    return {
      jobId: taskId,
      attempts: definition.attempts,
      ...(definition.backoffMs > 0 ? { backoff: { type: 'exponential', delay: definition.backoffMs } } : {}),
      timeout: definition.timeoutMs,
    };
  }
}
