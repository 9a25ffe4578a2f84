import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { EventsModule } from '../events/events.module';
import { JobQueue } from './job-queue';
import { QUEUE_NAMES } from './jobs';
import { Task } from './task.entity';
import { TaskRunner } from './task-runner';
import { TaskStore } from './task-store';
import { WorkerRegistry } from './worker-registry';

/**
 * Long jobs: Bull on Redis, one queue per name in the job table, the durable task record, and the runner
 * that processes jobs (started by main.ts when RUN_WORKERS is true, always by worker.ts). Global, as the
 * database is: any domain module enqueues through JobQueue.
 */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        url: config.values.REDIS_URL,
        prefix: `${config.values.REDIS_PREFIX}:bull`,
        settings: {
          lockDuration: config.values.QUEUE_LOCK_DURATION_MS,
          lockRenewTime: Math.floor(config.values.QUEUE_LOCK_DURATION_MS / 2),
          stalledInterval: config.values.QUEUE_STALLED_INTERVAL_MS,
          maxStalledCount: 1,
        },
        defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 5000 },
      }),
    }),
    BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
    TypeOrmModule.forFeature([Task]),
    DiscoveryModule,
    EventsModule,
  ],
  providers: [TaskStore, JobQueue, TaskRunner, WorkerRegistry],
  exports: [JobQueue, TaskStore, TaskRunner, WorkerRegistry],
})
export class QueueModule {}
