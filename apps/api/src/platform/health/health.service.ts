import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { TasksService } from '../../modules/tasks/tasks.service';
import { ProxmoxConnection } from '../proxmox/proxmox-connection';
import { QUEUE_NAMES } from '../queue/jobs';
import { RedisService } from '../redis/redis.service';
import { MetricsService } from './metrics.service';

export interface DependencyCheck {
  status: 'up' | 'down' | 'not_configured';
  latency_ms: number | null;
  mode?: string;
  version?: string;
  error?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'degraded' | 'unavailable';
  checks: { postgres: DependencyCheck; redis: DependencyCheck; proxmox: DependencyCheck };
}

async function timed(check: () => Promise<unknown>, timeoutMs = 3000): Promise<DependencyCheck> {
  const started = performance.now();
  try {
    await Promise.race([
      check(),
      new Promise((_resolve, reject) =>
        setTimeout(() => {
          reject(new Error(`no answer within ${timeoutMs} ms`));
        }, timeoutMs).unref(),
      ),
    ]);
    return { status: 'up', latency_ms: Math.round((performance.now() - started) * 10) / 10 };
  } catch (error) {
    return {
      status: 'down',
      latency_ms: null,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

@Injectable()
export class HealthService {
  static readonly version = process.env.npm_package_version ?? '0.1.0';

  constructor(
    private readonly dataSource: DataSource,
    private readonly redis: RedisService,
    private readonly proxmox: ProxmoxConnection,
    private readonly tasks: TasksService,
    private readonly metrics: MetricsService,
  ) {}

  /** Postgres and Redis are required; Proxmox down only degrades (reads from the database still work). */
  async readiness(): Promise<ReadinessReport> {
    const [postgres, redis, proxmox] = await Promise.all([
      timed(() => this.dataSource.query('SELECT 1')),
      timed(() => this.redis.ping()),
      this.proxmox.check(),
    ]);
    const status =
      postgres.status !== 'up' || redis.status !== 'up'
        ? 'unavailable'
        : proxmox.status === 'down'
          ? 'degraded'
          : 'ready';
    return { status, checks: { postgres, redis, proxmox } };
  }

  async refreshQueueGauges(): Promise<void> {
    await Promise.all(
      QUEUE_NAMES.map(async (name) => {
        const counts = await this.tasks.queue(name).getJobCounts();
        const states = ['waiting', 'active', 'completed', 'failed', 'delayed'] as const;
        for (const state of states) this.metrics.queueDepth.set({ queue: name, state }, counts[state]);
      }),
    );
  }
}
