import { hostname } from 'node:os';
import { getQueueToken } from '@nestjs/bull';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import type { Job, Queue } from 'bull';
import { AppConfig } from '../config/app-config';
import { describeSchedule, type Schedule } from '../config/schedule';
import { RedisService } from '../redis/redis.service';
import { HandlerDiscovery, type FoundHandler } from './handler-discovery';
import type { JsonValue } from './job-context';
import { SCHEDULED_JOB, type ScheduledResult } from './scheduled-job.decorator';
import type { ScheduleTable } from './schedule-table';

export const SCHEDULE_TABLE = Symbol('ScheduleTable');
export const SCHEDULED_QUEUE = 'scheduled';

const RUNS_KEPT = 20;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

/** One run of a recurring job, as kept in Redis (newest first). */
export interface ScheduledRun {
  /** The period it ran for (Bull's planned time). */
  scheduled_for: string;
  started_at: string;
  finished_at: string;
  status: 'ok' | 'failed' | 'skipped';
  result?: JsonValue;
  error?: string;
  worker: string;
  duration_ms: number;
}

export interface ScheduleStatus {
  name: string;
  description: string;
  schedule: string;
  next_run_at: string | null;
  recent_runs: ScheduledRun[];
}

/** Releases a lock only when it is still ours. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/**
 * Recurring jobs (the task reconciler, pruning, and what domain modules add to the schedule table). Every
 * process registers each schedule as a Bull repeatable job on the `scheduled` queue; Bull gives every period's
 * occurrence one fixed job id, so however many processes register it, each period runs once, on one
 * processing worker. A run still going when the next period comes makes that one skip (a lock per name),
 * so runs never overlap. Schedules come from settings; a changed setting replaces the old repeat at start.
 */
@Injectable()
export class Scheduler implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(Scheduler.name);
  private handlers = new Map<string, FoundHandler>();
  private queueInstance: Queue | null = null;
  private readonly worker = `${hostname()}:${process.pid}`;
  private processing = false;

  constructor(
    private readonly discovery: HandlerDiscovery,
    private readonly moduleRef: ModuleRef,
    private readonly redis: RedisService,
    private readonly config: AppConfig,
    @Inject(SCHEDULE_TABLE) private readonly table: ScheduleTable,
  ) {}

  get queueName(): string {
    return SCHEDULED_QUEUE;
  }

  onApplicationBootstrap(): void {
    this.handlers = this.discovery.find(SCHEDULED_JOB, Object.keys(this.table), 'scheduled job');
  }

  /** When a recurring job runs, from its setting (or the table). */
  scheduleOf(name: string): Schedule {
    const definition = this.table[name];
    if (!definition) throw new Error(`no scheduled job "${name}"`);
    return typeof definition.schedule === 'string'
      ? this.config.values[definition.schedule]
      : definition.schedule;
  }

  /**
   * Makes Bull's repeatable jobs match the table and the settings: adds each schedule (idempotent) and removes
   * repeats of names no longer listed or with another interval. Every process calls it at start.
   */
  async register(): Promise<void> {
    const queue = this.queue();
    const existing = await queue.getRepeatableJobs();
    for (const repeat of existing) {
      const wanted = this.table[repeat.name] ? this.scheduleOf(repeat.name) : null;
      const same =
        wanted !== null &&
        repeat.id === repeat.name &&
        ('every' in wanted ? repeat.every === wanted.every : repeat.cron === wanted.cron);
      if (!same) await queue.removeRepeatableByKey(repeat.key);
    }
    for (const name of Object.keys(this.table)) {
      const schedule = this.scheduleOf(name);
      await queue.add(
        name,
        {},
        {
          jobId: name,
          repeat: 'every' in schedule ? { every: schedule.every } : { cron: schedule.cron },
          timeout: this.table[name]?.timeoutMs ?? DEFAULT_TIMEOUT_MS,
          removeOnComplete: 50,
          removeOnFail: 50,
        },
      );
    }
  }

  /** Processes the scheduled jobs that fall due, one at a time in this process. */
  async startProcessing(): Promise<void> {
    if (this.processing) return;
    this.processing = true;
    await this.register();
    void this.queue().process('*', 1, (job: Job) => this.runOnce(job));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.queueInstance?.close();
  }

  /** Each recurring job with its schedule, next run and recent runs. */
  async status(): Promise<ScheduleStatus[]> {
    const repeats = await this.queue().getRepeatableJobs();
    return Promise.all(
      Object.entries(this.table).map(async ([name, definition]) => {
        const next = repeats.find((repeat) => repeat.name === name)?.next;
        const raw = await this.redis.client.lrange(this.runsKey(name), 0, RUNS_KEPT - 1);
        return {
          name,
          description: definition.description,
          schedule: describeSchedule(this.scheduleOf(name)),
          next_run_at: next ? new Date(next).toISOString() : null,
          recent_runs: raw.map((entry) => JSON.parse(entry) as ScheduledRun),
        };
      }),
    );
  }

  /** Runs one recurring job now in this process (the same lock and record as a scheduled run). */
  async runNow(name: string): Promise<ScheduledRun> {
    return this.execute(name, Date.now());
  }

  private async runOnce(job: Job): Promise<ScheduledRun> {
    const planned =
      typeof job.opts.repeat === 'object' ? (job.opts as { prevMillis?: number }).prevMillis : undefined;
    return this.execute(job.name, planned ?? job.timestamp);
  }

  private async execute(name: string, plannedAt: number): Promise<ScheduledRun> {
    const handler = this.handlers.get(name);
    if (!handler) throw new Error(`no handler for scheduled job "${name}"`);
    const started = Date.now();
    const base = {
      scheduled_for: new Date(plannedAt).toISOString(),
      started_at: new Date(started).toISOString(),
      worker: this.worker,
    };
    const lockKey = this.redis.key('schedule-lock', name);
    const leaseMs = Math.max(1_000, this.config.values.QUEUE_LOCK_DURATION_MS);
    const token = `${this.worker}:${started}`;
    if ((await this.redis.client.set(lockKey, token, 'PX', leaseMs, 'NX')) === null) {
      return this.record(
        name,
        { ...base, status: 'skipped', error: 'the previous run is still going' },
        started,
      );
    }
    const renewal = setInterval(
      () => {
        this.redis.client.eval(RENEW, 1, lockKey, token, leaseMs).catch(() => undefined);
      },
      Math.floor(leaseMs / 3),
    );
    renewal.unref();
    try {
      const result = (await handler.call()) as ScheduledResult;
      return await this.record(name, { ...base, status: 'ok', ...(result ? { result } : {}) }, started);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.logger.error(`Scheduled job ${name} failed: ${message}`);
      return await this.record(name, { ...base, status: 'failed', error: message }, started);
    } finally {
      clearInterval(renewal);
      await this.redis.client.eval(RELEASE, 1, lockKey, token).catch(() => undefined);
    }
  }

  private async record(
    name: string,
    run: Omit<ScheduledRun, 'finished_at' | 'duration_ms'>,
    started: number,
  ): Promise<ScheduledRun> {
    const finished = Date.now();
    const complete: ScheduledRun = {
      ...run,
      finished_at: new Date(finished).toISOString(),
      duration_ms: finished - started,
    };
    await this.redis.client
      .multi()
      .lpush(this.runsKey(name), JSON.stringify(complete))
      .ltrim(this.runsKey(name), 0, RUNS_KEPT - 1)
      .exec();
    return complete;
  }

  private runsKey(name: string): string {
    return this.redis.key('schedule-runs', name);
  }

  private queue(): Queue {
    this.queueInstance ??= this.moduleRef.get<Queue>(getQueueToken(SCHEDULED_QUEUE), { strict: false });
    return this.queueInstance;
  }
}
