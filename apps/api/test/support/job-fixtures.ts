/**
 * Fixture jobs for the job framework's tests: a table of their own (the runner is tested with these, not with
 * the application's real jobs), their handlers, and a harness that boots the platform's queue stack around
 * them in-process, as a worker process would, against the integration database, Redis and a simulator.
 */
import { writeFileSync, mkdirSync } from 'node:fs';
import { Inject, Injectable, Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { getQueueToken } from '@nestjs/bull';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { Queue } from 'bull';
import type { RunningPveSimulator } from '@proxdeck/pve-sim';
import { prepareDatabase } from '../../src/bootstrap';
import type { AppConfig } from '../../src/platform/config/app-config';
import { ConfigModule } from '../../src/platform/config/config.module';
import { dataSourceOptions } from '../../src/platform/database/data-source';
import { MetricsModule } from '../../src/platform/metrics/metrics.module';
import {
  connectionFile,
  simulatorDir,
  type SimulatorConnection,
} from '../../src/platform/proxmox/embedded-simulator';
import { ProxmoxConnection } from '../../src/platform/proxmox/proxmox-connection';
import { ProxmoxModule } from '../../src/platform/proxmox/proxmox.module';
import { ALREADY_DONE, type JobContext, type JobResult } from '../../src/platform/queue/job-context';
import { jobHandlerDecoratorFor } from '../../src/platform/queue/job-handler.decorator';
import { JobQueue } from '../../src/platform/queue/job-queue';
import { JobRunner } from '../../src/platform/queue/job-runner';
import { job, type JobData } from '../../src/platform/queue/job-table';
import { QueueModule } from '../../src/platform/queue/queue.module';
import { ResourceGovernor } from '../../src/platform/queue/resource-governor';
import {
  scheduledJobDecoratorFor,
  type ScheduledResult,
} from '../../src/platform/queue/scheduled-job.decorator';
import { PLATFORM_SCHEDULES } from '../../src/platform/queue/schedule-table';
import { Scheduler } from '../../src/platform/queue/scheduler';
import { TaskMaintenance } from '../../src/platform/queue/task-maintenance';
import { TaskStore } from '../../src/platform/queue/task-store';
import { RedisModule } from '../../src/platform/redis/redis.module';
import { testConfig } from './test-config';

const options = { queue: 'fixtures', attempts: 2, backoffMs: 0, timeoutMs: 60_000 };

export const FIXTURE_JOBS = {
  /** Three recorded steps; the test decides, through the journal, where a try stops. */
  'fixture.three-steps': job<{ key: string }>(options),
  /** One Proxmox create per item (the item's name is the vmid), each governed on its node. */
  'fixture.pve-create': job<{ node: string }>(options),
};
export type FixtureJobs = typeof FIXTURE_JOBS;

export const FIXTURE_SCHEDULES = {
  ...PLATFORM_SCHEDULES,
  'fixture.tick': { schedule: { every: 400 }, description: 'Does nothing, on time' },
};

const FixtureJob = jobHandlerDecoratorFor<FixtureJobs>();
const FixtureSchedule = scheduledJobDecoratorFor(FIXTURE_SCHEDULES);

/** Shared by every stack of a test file (one process): what ran, on which worker and try. */
export class Journal {
  readonly entries: string[] = [];
  /** Set by a test: called before a step runs; may block forever (the worker is then "killed"). */
  beforeStep: (key: string, step: string, attempt: number, worker: string) => Promise<void> = () =>
    Promise.resolve();
}
export const journal = new Journal();

const WORKER_LABEL = Symbol('WorkerLabel');

@Injectable()
class FixtureHandlers {
  constructor(
    private readonly proxmox: ProxmoxConnection,
    @Inject(WORKER_LABEL) private readonly worker: string,
  ) {}

  @FixtureJob('fixture.three-steps')
  async threeSteps(context: JobContext<'fixture.three-steps', FixtureJobs>): Promise<JobResult> {
    const { key } = context.payload;
    for (const step of ['one', 'two', 'three']) {
      await context.step(step, async () => {
        await journal.beforeStep(key, step, context.attempt, this.worker);
        journal.entries.push(`${key}:${step}:try${context.attempt}:${this.worker}`);
        return `${step} done on try ${context.attempt}`;
      });
    }
    return { worker: this.worker, attempt: context.attempt };
  }

  @FixtureJob('fixture.pve-create')
  async pveCreate(context: JobContext<'fixture.pve-create', FixtureJobs>): Promise<JobResult> {
    const { node } = context.payload;
    const pve = this.proxmox.pve();
    await context.forEachItem(
      async (item) => {
        const vmid = Number(item.name);
        const outcome = await item.pveTask(
          'create',
          async () => {
            // A VM of this fixture's making is already there (an earlier try made it): nothing to start. Its
            // config tells (the resource list may not name a fresh VM yet: Proxmox's stats cache).
            const existing = await pve.vmConfig(node, vmid).catch(() => null);
            if (existing?.name === `fixture-${vmid}`) return ALREADY_DONE;
            return pve.createVm(node, { vmid, name: `fixture-${vmid}` });
          },
          { resources: { node } },
        );
        await item.step('outcome', () => Promise.resolve({ upid: outcome.upid }));
      },
      { concurrency: 4 },
    );
    return { worker: this.worker };
  }

  @FixtureSchedule('fixture.tick')
  tick(): Promise<ScheduledResult> {
    return Promise.resolve({ worker: this.worker });
  }
}

@Module({})
class FixtureHandlersModule {
  static forWorker(label: string): DynamicModule {
    return {
      module: FixtureHandlersModule,
      imports: [ProxmoxModule],
      providers: [FixtureHandlers, { provide: WORKER_LABEL, useValue: label }],
    };
  }
}

/** The root of a fixture stack: only imports, given in startFixtureStack. */
@Module({})
class FixtureRootModule {}

export interface FixtureStack {
  label: string;
  config: AppConfig;
  app: INestApplicationContext;
  jobs: JobQueue<FixtureJobs>;
  store: TaskStore;
  scheduler: Scheduler;
  governor: ResourceGovernor;
  maintenance: TaskMaintenance;
  startProcessing(): Promise<void>;
  /**
   * As if the process were killed: its Bull connections close at once without finishing or failing the jobs
   * they run (their locks are no longer renewed), so another worker takes them over as stalled.
   */
  crash(): Promise<void>;
  close(): Promise<void>;
}

/** Tells worker processes of a stack how to reach a simulator the test started (as the API process would). */
export function announceSimulator(
  config: AppConfig,
  simulator: RunningPveSimulator,
  token: { id: string; secret: string },
): void {
  mkdirSync(simulatorDir(config), { recursive: true });
  const connection: SimulatorConnection = {
    url: simulator.url,
    caFile: simulator.caFile ?? null,
    tokenId: token.id,
    tokenSecret: token.secret,
  };
  writeFileSync(connectionFile(config), JSON.stringify(connection));
}

/**
 * The platform's queue stack with the fixture jobs, in-process; several share queues through REDIS_PREFIX
 * (the test deletes that prefix's keys when done).
 */
export async function startFixtureStack(label: string, env: Record<string, string>): Promise<FixtureStack> {
  const config = testConfig(env, 'worker');
  await prepareDatabase(config);
  const app = await NestFactory.createApplicationContext(
    {
      module: FixtureRootModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot(dataSourceOptions(config.values.DATABASE_URL)),
        RedisModule,
        MetricsModule,
        QueueModule.forRoot({ jobs: FIXTURE_JOBS, schedules: FIXTURE_SCHEDULES }),
        FixtureHandlersModule.forWorker(label),
      ],
    },
    { logger: false },
  );
  await app.init();
  const jobs = app.get<JobQueue<FixtureJobs>>(JobQueue);
  return {
    label,
    config,
    app,
    jobs,
    store: app.get(TaskStore),
    scheduler: app.get(Scheduler),
    governor: app.get(ResourceGovernor),
    maintenance: app.get(TaskMaintenance),
    startProcessing: () => app.get(JobRunner).startProcessing(),
    async crash() {
      const queues = [...jobs.queueNames, 'scheduled'].map((name) =>
        app.get<Queue<JobData>>(getQueueToken(name), { strict: false }),
      );
      await Promise.all(queues.map((queue) => queue.close(true)));
    },
    async close() {
      await app.close();
    },
  };
}
