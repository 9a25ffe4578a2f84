import { hostname } from 'node:os';
import { randomUUID } from 'node:crypto';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { TASK_TYPES, type TaskType } from '@proxdeck/contracts';
import type { Job } from 'bull';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { JOB_HANDLER, type JobContext, type JobHandlerFunction } from './job-handler.decorator';
import { JobQueue } from './job-queue';
import { JOBS, QUEUE_NAMES, type JobData, type JobPayloads } from './jobs';
import { TaskStore } from './task-store';
import { WorkerRegistry } from './worker-registry';

/**
 * Runs Bull jobs: finds the one @JobHandler of each job type (refusing to boot when one is missing or
 * doubled), keeps the task record in step with each try, and reports failures. Processing starts only
 * when asked: in the API process when RUN_WORKERS is true, and always in worker.ts.
 */
@Injectable()
export class TaskRunner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(TaskRunner.name);
  private readonly handlers = new Map<TaskType, JobHandlerFunction<TaskType>>();
  private processing = false;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
    private readonly tasks: TaskStore,
    private readonly jobs: JobQueue,
    private readonly workers: WorkerRegistry,
    private readonly metrics: MetricsService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.discoverHandlers();
  }

  /** Starts processing every queue in this process. */
  async startProcessing(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    const concurrency = this.config.values.WORKER_CONCURRENCY;
    for (const name of QUEUE_NAMES) {
      const queue = this.jobs.queue(name);
      queue.on('failed', (job: Job<JobData>, error: Error) => {
        void this.onFailed(job, error);
      });
      void queue.process('*', concurrency, (job: Job<JobData>) => this.run(job));
    }
    await this.workers.register(`${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`, [...QUEUE_NAMES]);
    this.logger.log(`Processing queues ${QUEUE_NAMES.join(', ')} with concurrency ${concurrency}`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (!this.processing) return;
    await Promise.allSettled(QUEUE_NAMES.map((name) => this.jobs.queue(name).close()));
    await this.workers.unregister();
  }

  private discoverHandlers(): void {
    const found = new Map<TaskType, string[]>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | null | undefined;
      if (!instance || typeof instance !== 'object') continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const methodName of this.scanner.getAllMethodNames(prototype)) {
        const method = instance[methodName];
        if (typeof method !== 'function') continue;
        const type = this.reflector.get<TaskType | undefined>(JOB_HANDLER, method);
        if (!type) continue;
        found.set(type, [...(found.get(type) ?? []), `${wrapper.name}.${methodName}`]);
        this.handlers.set(type, (method as JobHandlerFunction<TaskType>).bind(instance));
      }
    }
    const problems: string[] = [];
    for (const type of TASK_TYPES) {
      const owners = found.get(type) ?? [];
      if (owners.length === 0) problems.push(`job "${type}" has no @JobHandler`);
      if (owners.length > 1)
        problems.push(`job "${type}" has ${owners.length} handlers: ${owners.join(', ')}`);
    }
    if (problems.length > 0) throw new Error(`Job table and handlers disagree:\n  ${problems.join('\n  ')}`);
  }

  private async run(job: Job<JobData>): Promise<unknown> {
    const type = job.name as TaskType;
    const handler = this.handlers.get(type);
    if (!handler) throw new Error(`No handler for job ${job.name}`);
    const taskId = job.data.taskId;
    const task = await this.tasks.markRunning(taskId);
    if (!task) {
      this.logger.warn(`Task ${taskId} is gone or already final; job ${job.id} skipped`);
      return { skipped: true };
    }
    const stopTimer = this.metrics.jobDuration.startTimer({ type });
    const context: JobContext<TaskType> = {
      taskId,
      type,
      payload: task.payload as unknown as JobPayloads[TaskType],
      attempt: task.attempts,
      createdBy: task.createdBy,
      progress: (percent, message) => this.tasks.progress(taskId, percent, message),
      item: (name, update) => this.tasks.updateItem(taskId, name, update),
    };
    try {
      const result = await handler(context);
      await this.tasks.complete(taskId, result);
      stopTimer({ outcome: 'completed' });
      return result ?? null;
    } catch (error) {
      stopTimer({ outcome: 'failed' });
      throw error;
    }
  }

  private async onFailed(job: Job<JobData>, error: Error): Promise<void> {
    const maxAttempts = job.opts.attempts ?? JOBS[job.name as TaskType].attempts;
    const stalledOut = error.message.includes('stalled more than allowable limit');
    const willRetry = !stalledOut && job.attemptsMade < maxAttempts;
    const message = stalledOut
      ? 'The worker running this task stopped (crashed or was killed) more often than allowed'
      : error.message;
    try {
      await this.tasks.recordFailure(job.data.taskId, message, willRetry);
    } catch (recordError) {
      this.logger.error(
        `Could not record the failure of task ${job.data.taskId}`,
        recordError instanceof Error ? recordError.stack : String(recordError),
      );
    }
  }
}
