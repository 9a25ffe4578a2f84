import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { JobQueue } from './job-queue';
import { ScheduledJob, type ScheduledResult } from './scheduled-job.decorator';
import { TaskStore } from './task-store';

const RECONCILE_BATCH = 500;

/**
 * The platform's care of the task table: the reconciler, which keeps the task rows and Bull's jobs from
 * disagreeing for long, and pruning of old finished tasks.
 */
@Injectable()
export class TaskMaintenance {
  private readonly logger = new Logger(TaskMaintenance.name);

  constructor(
    private readonly store: TaskStore,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  /**
   * Unfinished tasks untouched for a while whose Bull job is gone (a crash between the row and the job, or a
   * Redis that lost its data) are enqueued again; tasks whose job ended for good without the row hearing of
   * it are finished as their job did. Tasks of a job type no longer in the table fail with that reason.
   */
  @ScheduledJob('tasks.reconcile')
  async reconcile(): Promise<ScheduledResult> {
    const graceMs = Math.max(30_000, this.config.values.QUEUE_LOCK_DURATION_MS * 2);
    return this.reconcileOlderThan(new Date(Date.now() - graceMs));
  }

  /** The reconciler's work for tasks untouched since `before` (tests pass their own time). */
  async reconcileOlderThan(before: Date): Promise<{ checked: number; requeued: number; finished: number }> {
    const tasks = await this.store.findUnfinishedSince(before, RECONCILE_BATCH);
    let requeued = 0;
    let finished = 0;
    for (const task of tasks) {
      if (!this.jobs.definitionOf(task.type)) {
        await this.store.recordFailure(
          task.id,
          `No job type "${task.type}" in this version of Proxdeck`,
          false,
        );
        finished += 1;
        continue;
      }
      const job = await this.jobs.findJob(task);
      if (!job) {
        await this.jobs.enqueueExisting(task);
        this.logger.warn(`Task ${task.id} (${task.type}) had no queued job; enqueued it again`);
        requeued += 1;
        continue;
      }
      const state = await job.getState();
      if (state === 'failed' && job.attemptsMade >= (job.opts.attempts ?? 1)) {
        await this.store.recordFailure(task.id, job.failedReason ?? 'Failed', false);
        finished += 1;
      } else if (state === 'completed') {
        await this.store.complete(
          task.id,
          (job.returnvalue ?? undefined) as Record<string, unknown> | undefined,
        );
        finished += 1;
      }
    }
    return { checked: tasks.length, requeued, finished };
  }

  /** Deletes finished tasks older than TASK_RETENTION_DAYS. */
  @ScheduledJob('tasks.prune')
  async prune(): Promise<ScheduledResult> {
    const before = new Date(Date.now() - this.config.values.TASK_RETENTION_DAYS * 86_400_000);
    return { deleted: await this.store.pruneFinished(before) };
  }
}
