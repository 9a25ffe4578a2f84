import { setTimeout as delay } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { isFinalTaskStatus, type TaskStatus } from '@proxdeck/contracts';
import { In, LessThan, type Repository } from 'typeorm';
import { EventsService } from '../events/events.service';
import { Task, type StepRecord, type TaskItem } from './task.entity';

const UNFINISHED = "status IN ('queued', 'running')";

export interface ItemUpdate {
  status?: TaskItem['status'];
  step?: string;
  progress?: number;
  error?: string | null;
  upid?: string;
}

/**
 * The durable record of every long job (the `tasks` table) as the job runner keeps it: each try, its
 * progress and items, its outcome. Every change goes out as a `task` event.
 */
@Injectable()
export class TaskStore {
  private readonly logger = new Logger(TaskStore.name);
  private readonly finishedListeners = new Set<(task: Task) => Promise<void>>();

  constructor(
    @InjectRepository(Task) private readonly tasks: Repository<Task>,
    private readonly events: EventsService,
  ) {}

  get repository(): Repository<Task> {
    return this.tasks;
  }

  async find(id: string): Promise<Task | null> {
    return this.tasks.findOne({ where: { id } });
  }

  /**
   * The task once it has finished, or null when it has not within `timeoutMs` (for the few routes that answer
   * with the outcome when it comes quickly, else with the task). Reads the row every `intervalMs`.
   */
  async finishedWithin(id: string, timeoutMs: number, intervalMs = 200): Promise<Task | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const task = await this.find(id);
      if (task && isFinalTaskStatus(task.status)) return task;
      const left = deadline - Date.now();
      if (left <= 0) return null;
      await delay(Math.min(intervalMs, left));
    }
  }

  async insert(task: Task): Promise<void> {
    await this.tasks.manager.save(Task, task);
    await this.emit(task);
  }

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
      .andWhere(UNFINISHED)
      .execute();
    const task = await this.find(id);
    if (task) await this.emit(task);
    return task?.status === 'running' ? task : null;
  }

  async progress(id: string, percent: number, message?: string): Promise<void> {
    const clamped = Math.max(0, Math.min(100, Math.round(percent)));
    await this.tasks.update({ id }, { progress: clamped, ...(message !== undefined ? { message } : {}) });
    await this.emitById(id);
  }

  async setMessage(id: string, message: string): Promise<void> {
    await this.tasks.update({ id }, { message });
    await this.emitById(id);
  }

  async updateItem(id: string, name: string, update: ItemUpdate): Promise<void> {
    await this.mutate(id, (task) => {
      const item = itemOf(task, name);
      if (update.status !== undefined) item.status = update.status;
      if (update.step !== undefined) item.step = update.step;
      if (update.progress !== undefined) item.progress = update.progress;
      if (update.error !== undefined) item.error = update.error;
      if (update.upid !== undefined && !item.pve_upids.includes(update.upid))
        item.pve_upids.push(update.upid);
    });
  }

  /**
   * Records a finished step of the task (`itemName` null) or of one item, replacing an earlier record of
   * the same name. Durable before it returns: a later try skips the step.
   */
  async recordStep(id: string, itemName: string | null, record: StepRecord): Promise<void> {
    await this.mutate(id, (task) => {
      const steps = itemName === null ? task.steps : (itemOf(task, itemName).steps ??= []);
      const index = steps.findIndex((candidate) => candidate.name === record.name);
      if (index >= 0) steps[index] = record;
      else steps.push(record);
    });
  }

  /** Forgets a recorded step, so that the next try runs it again. */
  async forgetStep(id: string, itemName: string | null, name: string): Promise<void> {
    await this.mutate(id, (task) => {
      if (itemName === null) task.steps = task.steps.filter((step) => step.name !== name);
      else {
        const item = itemOf(task, itemName);
        item.steps = (item.steps ?? []).filter((step) => step.name !== name);
      }
    });
  }

  /**
   * Changes a task's items and steps under a row lock (items of one task change from several workers), and
   * sends the changed task as it was written, without reading it again.
   */
  private async mutate(id: string, change: (task: Task) => void): Promise<void> {
    const changed = await this.tasks.manager.transaction(async (manager) => {
      const task = await manager.findOne(Task, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!task) return null;
      change(task);
      await manager
        .createQueryBuilder()
        .update(Task)
        .set({ items: () => ':items', steps: () => ':steps' })
        .where('id = :id', { id })
        .setParameters({ items: JSON.stringify(task.items), steps: JSON.stringify(task.steps) })
        .execute();
      return task;
    });
    if (changed) await this.emit(changed);
  }

  /** Unfinished tasks not touched since `before`: candidates for the reconciler. */
  async findUnfinishedSince(before: Date, limit: number): Promise<Task[]> {
    return this.tasks.find({
      where: { status: In(['queued', 'running']), updatedAt: LessThan(before) },
      order: { updatedAt: 'ASC' },
      take: limit,
    });
  }

  /** Deletes finished tasks that ended before `before`; returns how many. */
  async pruneFinished(before: Date): Promise<number> {
    const result = await this.tasks.delete({
      status: In(['completed', 'failed', 'partial', 'cancelled']),
      finishedAt: LessThan(before),
    });
    return result.affected ?? 0;
  }

  /**
   * Ends a task after its handler returned: `completed` when every item did, else by its items (conclusionOf):
   * `failed` when all failed, `cancelled` when none failed, `partial` otherwise. Only an unfinished task
   * changes, so a worker that comes back from the dead cannot overwrite what another try concluded.
   */
  async complete(id: string, result: Record<string, unknown> | undefined): Promise<void> {
    const task = await this.find(id);
    if (!task) return;
    const { status, message } = conclusionOf(task.items);
    const update = await this.tasks
      .createQueryBuilder()
      .update(Task)
      .set({
        status,
        progress: 100,
        result: () => ':result',
        message,
        finishedAt: new Date(),
      })
      .where('id = :id', { id })
      .andWhere(UNFINISHED)
      .setParameter('result', result === undefined ? null : JSON.stringify(result))
      .execute();
    await this.emitById(id);
    if (update.affected) await this.announceFinished(id);
  }

  /** Asks a running or queued task to cancel its items not started yet; false when it has ended already. */
  async requestCancel(id: string): Promise<boolean> {
    const update = await this.tasks
      .createQueryBuilder()
      .update(Task)
      .set({ cancelRequestedAt: () => 'COALESCE(cancel_requested_at, now())', message: 'Cancelling…' })
      .where('id = :id', { id })
      .andWhere(UNFINISHED)
      .execute();
    await this.emitById(id);
    return (update.affected ?? 0) > 0;
  }

  async isCancelRequested(id: string): Promise<boolean> {
    const row = await this.tasks.findOne({ where: { id }, select: { id: true, cancelRequestedAt: true } });
    return row?.cancelRequestedAt != null;
  }

  /**
   * Makes an ended task ready to run again for its failed and cancelled items (their recorded steps are kept,
   * so each resumes where it stopped): back to `queued`. Returns the task, or null when it has not ended or has
   * nothing to retry.
   */
  async prepareRetry(id: string): Promise<Task | null> {
    const retried = await this.tasks.manager.transaction(async (manager) => {
      const task = await manager.findOne(Task, { where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!task || !isFinalTaskStatus(task.status)) return null;
      const again = task.items.filter((item) => item.status === 'failed' || item.status === 'cancelled');
      if (again.length === 0) return null;
      for (const item of again) Object.assign(item, { status: 'queued', error: null, progress: 0 });
      const done = task.items.length - again.length;
      await manager
        .createQueryBuilder()
        .update(Task)
        .set({
          status: 'queued',
          items: () => ':items',
          progress: Math.round((done / task.items.length) * 100),
          message: `Retrying ${String(again.length)} item(s)`,
          error: null,
          finishedAt: null,
          cancelRequestedAt: null,
        })
        .where('id = :id', { id })
        .setParameter('items', JSON.stringify(task.items))
        .execute();
      return task;
    });
    if (retried) await this.emitById(id);
    return retried;
  }

  /** A try failed: back to `queued` when Bull will try again, else `failed` with the error text. */
  async recordFailure(id: string, error: string, willRetry: boolean): Promise<void> {
    const update = await this.tasks
      .createQueryBuilder()
      .update(Task)
      .set(
        willRetry
          ? { status: 'queued', message: `Try failed, retrying: ${error}` }
          : { status: 'failed', error, message: 'Failed', finishedAt: new Date() },
      )
      .where('id = :id', { id })
      .andWhere(UNFINISHED)
      .execute();
    await this.emitById(id);
    if (!willRetry && update.affected) await this.announceFinished(id);
  }

  /**
   * Tells `listener` of every task that reaches a final status in this process (once per task: only the try
   * that ends it announces it). Domain modules raise notifications from here. Returns the unsubscribe.
   */
  onFinished(listener: (task: Task) => Promise<void>): () => void {
    this.finishedListeners.add(listener);
    return () => this.finishedListeners.delete(listener);
  }

  private async announceFinished(id: string): Promise<void> {
    if (this.finishedListeners.size === 0) return;
    const task = await this.find(id);
    if (!task) return;
    for (const listener of this.finishedListeners) {
      try {
        await listener(task);
      } catch (error) {
        this.logger.error(
          `A listener of finished tasks failed for ${id}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
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
}

/** How a task's items end it (see TaskStore.complete). */
export function conclusionOf(items: readonly TaskItem[]): { status: TaskStatus; message: string } {
  const count = (status: TaskItem['status']) => items.filter((item) => item.status === status).length;
  const failed = count('failed');
  const cancelled = count('cancelled');
  if (failed === 0 && cancelled === 0) return { status: 'completed', message: 'Completed' };
  const parts = [
    failed > 0 ? `${String(failed)} failed` : '',
    cancelled > 0 ? `${String(cancelled)} cancelled` : '',
  ].filter(Boolean);
  const message = `${parts.join(', ')} of ${String(items.length)} item(s)`;
  if (failed === items.length) return { status: 'failed', message };
  if (failed === 0) return { status: 'cancelled', message };
  return { status: 'partial', message };
}

function itemOf(task: Task, name: string): TaskItem {
  let item = task.items.find((candidate) => candidate.name === name);
  if (!item) {
    item = { name, status: 'queued', step: null, progress: 0, error: null, pve_upids: [] };
    task.items.push(item);
  }
  return item;
}
