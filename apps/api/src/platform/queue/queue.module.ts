import { BullModule } from '@nestjs/bull';
import { Module, type DynamicModule } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AppConfig } from '../config/app-config';
import { EventsModule } from '../events/events.module';
import { ProxmoxModule } from '../proxmox/proxmox.module';
import { HandlerDiscovery } from './handler-discovery';
import { JOB_TABLE, JobQueue } from './job-queue';
import { JobRunner } from './job-runner';
import { queueNamesOf, type JobTable } from './job-table';
import { PveTaskSteps } from './pve-task-steps';
import { TaskSecrets } from './task-secrets';
import { ResourceGovernor } from './resource-governor';
import { SCHEDULE_TABLE, SCHEDULED_QUEUE, Scheduler } from './scheduler';
import { PLATFORM_SCHEDULES, type ScheduleTable } from './schedule-table';
import { Task } from './task.entity';
import { TaskMaintenance } from './task-maintenance';
import { TaskStore } from './task-store';
import { WorkerRegistry } from './worker-registry';

/**
 * Long jobs: Bull on Redis (one queue per queue name of the job table, and `scheduled`), the durable task
 * record, the runner with its job contexts, the resource governor, and the recurring jobs. The application
 * passes its job and schedule tables; tests pass tables of fixture jobs. Global, as the database is: any
 * domain module enqueues through JobQueue.
 */
@Module({})
export class QueueModule {
  static forRoot(options: { jobs: JobTable; schedules: ScheduleTable }): DynamicModule {
    const schedules: ScheduleTable = { ...PLATFORM_SCHEDULES, ...options.schedules };
    return {
      module: QueueModule,
      global: true,
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
        BullModule.registerQueue(
          ...[...queueNamesOf(options.jobs), SCHEDULED_QUEUE].map((name) => ({ name })),
        ),
        TypeOrmModule.forFeature([Task]),
        DiscoveryModule,
        EventsModule,
        ProxmoxModule,
      ],
      providers: [
        { provide: JOB_TABLE, useValue: options.jobs },
        { provide: SCHEDULE_TABLE, useValue: schedules },
        HandlerDiscovery,
        TaskStore,
        JobQueue,
        JobRunner,
        Scheduler,
        ResourceGovernor,
        PveTaskSteps,
        TaskSecrets,
        TaskMaintenance,
        WorkerRegistry,
      ],
      exports: [
        JobQueue,
        TaskStore,
        JobRunner,
        Scheduler,
        ResourceGovernor,
        WorkerRegistry,
        PveTaskSteps,
        TaskSecrets,
      ],
    };
  }
}
