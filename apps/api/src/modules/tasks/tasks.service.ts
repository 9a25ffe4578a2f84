import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { InjectRepository } from '@nestjs/typeorm';
import { getQueueToken } from '@nestjs/bull';
import type { TaskStatus, TaskType } from '@proxdeck/contracts';
import type { Queue } from 'bull';
import { Brackets, type Repository } from 'typeorm';
import type { Principal } from '../../platform/auth/principal';
import { NotFoundError } from '../../platform/errors/app-error';
import { EventsService } from '../../platform/events/events.service';
import { JOBS, type JobData, type JobPayloads, type QueueName } from '../../platform/queue/jobs';
import { Task, type TaskItem } from './task.entity';

/** The durable record of every long job, and the one way to start one (api.md §4). */
@Injectable()
export class TasksService {
  private readonly queues = new Map<QueueName, Queue<JobData>>();

  constructor(
    @InjectRepository(Task) private readonly tasks: Repository<Task>,
    private readonly events: EventsService,
    private readonly moduleRef: ModuleRef,
  ) {}

  /** Records a task and enqueues its job. Typed by the job table: the payload must match the type. */
  async start<T extends TaskType>(
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
    const task = this.tasks.create({
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
    await this.tasks.manager.save(Task, task);
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
    await this.emit(task);
    return task;
  }

  async find(id: string): Promise<Task | null> {
    return this.tasks.findOne({ where: { id } });
  }

  /** A task the caller may see: their own, or any with view_all. */
  async getVisible(id: string, principal: Principal): Promise<Task> {
    const task = /^[0-9a-f-]{36}$/i.test(id) ? await this.find(id) : null;
    if (!task || (task.createdBy !== principal.user.id && !principal.permissions.has('view_all'))) {
      throw new NotFoundError(`Task ${id}`);
    }
    return task;
  }

  async list(
    principal: Principal,
    query: { page: number; per_page: number; status?: TaskStatus; type?: TaskType },
  ): Promise<{ items: Task[]; total: number }> {
    const builder = this.tasks.createQueryBuilder('task').orderBy('task.created_at', 'DESC');
    if (!principal.permissions.has('view_all'))
      builder.andWhere('task.created_by = :userId', { userId: principal.user.id });
    if (query.status) builder.andWhere('task.status = :status', { status: query.status });
    if (query.type) builder.andWhere('task.type = :type', { type: query.type });
    const [items, total] = await builder
      .skip((query.page - 1) * query.per_page)
      .take(query.per_page)
      .getManyAndCount();
    return { items, total };
  }

  async countByStatus(status: TaskStatus): Promise<number> {
    return this.tasks.count({ where: { status } });
  }

  // ---- lifecycle, used by the task runner ----

  /** Starts a try (a retry after a failure or a crashed worker counts as one). Null when the task is final. */
  async markRunning(id: string): Promise<Task | null> {
    await this.tasks
      .createQueryBuilder()
      .update(Task)
      .set({
        status: 'running',
        attempts: () => 'attempts + 1',
        startedAt: () => 'COALESCE(started_at, now())',
        message: () =>
          "CASE WHEN attempts = 0 THEN 'Running' ELSE 'Running (try ' || (attempts + 1) || ')' END",
        error: null,
      })
      .where('id = :id', { id })
      .andWhere(new Brackets((where) => where.where("status IN ('queued', 'running')")))
      .execute();
    const task = await this.find(id);
    if (task) await this.emit(task);
    return task?.status === 'running' ? task : null;
  }

  async progress(id: string, percent: number, message?: string): Promise<void> {
    const clamped = Math.max(0, Math.min(100, Math.round(percent)));
    await this.tasks.update({ id }, { progress: clamped, ...(message !== undefined ? { message } : {}) });
    const task = await this.find(id);
    if (task) await this.emit(task);
  }

  async updateItem(
    id: string,
    name: string,
    update: {
      status?: TaskItem['status'];
      step?: string;
      progress?: number;
      error?: string | null;
      upid?: string;
    },
  ): Promise<void> {
    await this.tasks.manager.transaction(async (manager) => {
      const task = await manager.findOne(Task, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!task) return;
      let item = task.items.find((candidate) => candidate.name === name);
      if (!item) {
        item = { name, status: 'queued', step: null, progress: 0, error: null, pve_upids: [] };
        task.items.push(item);
      }
      if (update.status !== undefined) item.status = update.status;
      if (update.step !== undefined) item.step = update.step;
      if (update.progress !== undefined) item.progress = update.progress;
      if (update.error !== undefined) item.error = update.error;
      if (update.upid !== undefined && !item.pve_upids.includes(update.upid))
        item.pve_upids.push(update.upid);
      await manager.update(Task, { id }, { items: task.items });
    });
    const task = await this.find(id);
    if (task) await this.emit(task);
  }

  async complete(id: string, result: Record<string, unknown> | undefined): Promise<void> {
    const task = await this.find(id);
    if (!task) return;
    const failedItems = task.items.filter((item) => item.status === 'failed').length;
    const status: TaskStatus =
      failedItems === 0 ? 'completed' : failedItems === task.items.length ? 'failed' : 'partial';
    await this.tasks
      .createQueryBuilder()
      .update(Task)
      .set({
        status,
        progress: 100,
        result: () => ':result',
        message:
          status === 'completed' ? 'Completed' : `${failedItems} of ${task.items.length} item(s) failed`,
        finishedAt: new Date(),
      })
      .where('id = :id', { id })
      .setParameter('result', result === undefined ? null : JSON.stringify(result))
      .execute();
    await this.emitById(id);
  }

  /** A try failed: back to `queued` when Bull will try again, else `failed` with the error text. */
  async recordFailure(id: string, error: string, willRetry: boolean): Promise<void> {
    if (willRetry) {
      await this.tasks.update({ id }, { status: 'queued', message: `Try failed, retrying: ${error}` });
    } else {
      await this.tasks.update({ id }, { status: 'failed', error, message: 'Failed', finishedAt: new Date() });
    }
    await this.emitById(id);
  }

  private async emitById(id: string): Promise<void> {
    const task = await this.find(id);
    if (task) await this.emit(task);
  }

  private async emit(task: Task): Promise<void> {
    await this.events.publish(
      'task',
      {
        task_id: task.id,
        status: task.status,
        progress: task.progress,
        message: task.message,
        ...(task.items.length > 0
          ? {
              items: task.items.map(({ name, status, step, progress, error }) => ({
                name,
                status,
                step,
                progress,
                error,
              })),
            }
          : {}),
      },
      { userId: task.createdBy, broadcast: true },
    );
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
