import { Injectable } from '@nestjs/common';
import { missingPrivileges } from '@proxdeck/pve-client';
import { DataSource } from 'typeorm';
import { MetricsService } from '../metrics/metrics.service';
import { ProxmoxConnection } from '../proxmox/proxmox-connection';
import { JobQueue } from '../queue/job-queue';
import { RedisService } from '../redis/redis.service';

export interface DependencyCheck {
  status: 'up' | 'down' | 'not_configured';
  latency_ms: number | null;
  mode?: string;
  version?: string;
  /** Proxmox only: what the configured credentials lack of Proxdeck's least privileges (`VM.PowerMgmt on /vms`). */
  missing_privileges?: string[];
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
    private readonly jobs: JobQueue,
    private readonly metrics: MetricsService,
  ) {}

  /** Postgres and Redis are required; Proxmox down only degrades (reads from the database still work). */
  async readiness(): Promise<ReadinessReport> {
    const [postgres, redis, proxmox] = await Promise.all([
      timed(() => this.dataSource.query('SELECT 1')),
      timed(() => this.redis.ping()),
      this.checkProxmox(),
    ]);
    const status =
      postgres.status !== 'up' || redis.status !== 'up'
        ? 'unavailable'
        : proxmox.status === 'down' || (proxmox.missing_privileges?.length ?? 0) > 0
          ? 'degraded'
          : 'ready';
    return { status, checks: { postgres, redis, proxmox } };
  }

  /**
   * Proxmox answers its version (up, with which mode and version), and the credentials hold every privilege
   * Proxdeck needs on that version (libs/pve-client least-privilege.ts); each missing one is named.
   */
  private async checkProxmox(): Promise<DependencyCheck> {
    let version: string | undefined;
    let missing: string[] = [];
    const check = await timed(async () => {
      const pve = this.proxmox.pve();
      const answer = await pve.version();
      version = answer.version;
      missing = await missingPrivileges(pve, answer.release);
    });
    return {
      ...check,
      mode: this.proxmox.mode,
      ...(version !== undefined ? { version } : {}),
      ...(missing.length > 0
        ? { missing_privileges: missing, error: `the Proxmox credentials lack ${missing.join(', ')}` }
        : {}),
    };
  }

  async refreshQueueGauges(): Promise<void> {
    const counts = await this.jobs.counts();
    const states = ['waiting', 'active', 'completed', 'failed', 'delayed'] as const;
    for (const [queue, byState] of Object.entries(counts)) {
      for (const state of states) this.metrics.queueDepth.set({ queue, state }, byState[state]);
    }
  }
}
