import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { Job } from 'bull';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { HandlerDiscovery, type FoundHandler } from './handler-discovery';
import type { JobResult } from './job-context';
import { JOB_HANDLER } from './job-handler.decorator';
import { JOB_TABLE, JobQueue } from './job-queue';
import type { JobData, JobTable } from './job-table';
import { PveTaskSteps } from './pve-task-steps';
import { ResourceGovernor } from './resource-governor';
import { RunningJob, type RunningJobServices } from './running-job';
import { Scheduler } from './scheduler';
import { TaskStore } from './task-store';
import { WorkerRegistry } from './worker-registry';

const STALLED_TOO_OFTEN = 'stalled more than allowable limit';

/**
 * Runs Bull jobs: finds the one @JobHandler of each job type of the table (refusing to boot when one is
 * missing, doubled or unknown), keeps the task record in step with each try, hands each handler its context
 * (steps, items, Proxmox tasks, the governor), and records failures. Processing starts only when asked: in
 * the API process when RUN_WORKERS is true, and always in worker.ts; a processing process also runs the
 * scheduled jobs that fall due.
 */
@Injectable()
export class JobRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(JobRunner.name);
  private handlers = new Map<string, FoundHandler>();
  private processing = false;
  private readonly services: RunningJobServices;

  constructor(
    private readonly discovery: HandlerDiscovery,
    private readonly store: TaskStore,
    private readonly jobs: JobQueue,
    private readonly scheduler: Scheduler,
    private readonly workers: WorkerRegistry,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
    governor: ResourceGovernor,
    pveTasks: PveTaskSteps,
    @Inject(JOB_TABLE) private readonly table: JobTable,
  ) {
    this.services = { store, governor, pveTasks };
  }

  onApplicationBootstrap(): void {
    this.handlers = this.discovery.find(JOB_HANDLER, Object.keys(this.table), 'job');
  }

  /** Starts processing every queue (and the scheduled jobs) in this process. */
  async startProcessing(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    const concurrency = this.config.values.WORKER_CONCURRENCY;
    for (const name of this.jobs.queueNames) {
      const queue = this.jobs.queue(name);
      queue.on('failed', (job: Job<JobData>, error: Error) => {
        void this.onFailed(job, error);
      });
      void queue.process('*', concurrency, (job: Job<JobData>) => this.run(job));
    }
    await this.scheduler.startProcessing();
    const queues = [...this.jobs.queueNames, this.scheduler.queueName];
    await this.workers.register(`${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, queues);
    this.logger.log(`Processing queues ${queues.join(', ')} with concurrency ${concurrency}`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.processing) return;
    await Promise.allSettled(this.jobs.queueNames.map((name) => this.jobs.queue(name).close()));
    await this.workers.unregister();
  }

  private async run(job: Job<JobData>): Promise<unknown> {
    const handler = this.handlers.get(job.name);
    if (!handler) throw new Error(`No handler for job ${job.name}`);
    const taskId = job.data.taskId;
    const task = await this.store.markRunning(taskId);
    if (!task) {
      this.logger.warn(`Task ${taskId} is gone or already final; job ${String(job.id)} skipped`);
      return { skipped: true };
    }
    const stopTimer = this.metrics.jobDuration.startTimer({ type: job.name });
    try {
      const result = (await handler.call(new RunningJob(task, this.services))) as JobResult;
      await this.store.complete(taskId, result);
      stopTimer({ outcome: 'completed' });
      return result ?? null;
    } catch (error) {
      stopTimer({ outcome: 'failed' });
      throw error;
    }
  }

  private async onFailed(job: Job<JobData>, error: Error): Promise<void> {
    const maxAttempts = job.opts.attempts ?? this.table[job.name]?.attempts ?? 1;
    const stalledOut = error.message.includes(STALLED_TOO_OFTEN);
    const willRetry = !stalledOut && job.attemptsMade < maxAttempts;
    const message = stalledOut
      ? 'The worker running this task stopped (crashed or was killed) more often than allowed'
      : error.message;
    try {
      await this.store.recordFailure(job.data.taskId, message, willRetry);
    } catch (recordError) {
      this.logger.error(
        `Could not record the failure of task ${job.data.taskId}`,
        recordError instanceof Error ? recordError.stack : String(recordError),
      );
    }
  }
}
