import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { RedisService } from '../../platform/redis/redis.service';
import { ServersRepository } from '../servers';
import { MonitoringSettingsService } from './monitoring-settings.service';
import { mapBounded, tcpCheck } from './tcp-check';

/** What the worker found when it connected to a server's SSH port. */
export interface TcpProbeResult {
  ok: boolean;
  error?: string;
  /** `ip:port` it connected to. */
  target: string;
  /** When (Unix ms). */
  at: number;
}

/** A result older than this is not used: the health check connects itself then. */
export const TCP_PROBE_MAX_AGE_MS = 120_000;

/**
 * The TCP check of every running server's SSH port, run by the workers (the recurring job
 * `monitoring.tcp_probe`, SCHEDULE_TCP_PROBE): workers are where Proxdeck reaches the servers' networks (they run
 * the Ansible roles), while the API may sit elsewhere. Results are kept in Redis; the health routes read them, and
 * connect from the API process only for a server the workers have no fresh result for (a new server, no workers).
 */
@Injectable()
export class TcpProbeService {
  constructor(
    private readonly servers: ServersRepository,
    private readonly settings: MonitoringSettingsService,
    private readonly redis: RedisService,
    private readonly config: AppConfig,
  ) {}

  private get key(): string {
    return this.redis.key('monitoring', 'tcp');
  }

  /** One round: every running server with an address, HEALTH_TCP_CONCURRENCY at once; the rest forgotten. */
  async probe(): Promise<{ probed: number; failed: number }> {
    const [servers, settings] = await Promise.all([this.servers.all(), this.settings.current()]);
    const targets = servers.flatMap((server) => {
      const ip = server.ipAddresses[0];
      return server.status === 'running' && ip !== undefined ? [{ name: server.name, ip }] : [];
    });
    const results = await mapBounded(
      targets,
      this.config.values.HEALTH_TCP_CONCURRENCY,
      async ({ name, ip }) => {
        const result = await tcpCheck(ip, settings.tcp_port, settings.tcp_timeout_ms);
        const entry: TcpProbeResult = {
          ok: result.ok,
          ...(result.error !== undefined ? { error: result.error } : {}),
          target: `${ip}:${String(settings.tcp_port)}`,
          at: Date.now(),
        };
        return [name, JSON.stringify(entry)] as const;
      },
    );
    const write = this.redis.client.multi().del(this.key);
    if (results.length > 0) write.hset(this.key, Object.fromEntries(results));
    await write.exec();
    return {
      probed: results.length,
      failed: results.filter(([, json]) => json.includes('"ok":false')).length,
    };
  }

  /** The workers' fresh results for these servers (by name), for the target given. */
  async latest(
    wanted: readonly { name: string; target: string }[],
    now = Date.now(),
  ): Promise<Map<string, TcpProbeResult>> {
    const found = new Map<string, TcpProbeResult>();
    if (wanted.length === 0) return found;
    const raw = await this.redis.client.hmget(this.key, ...wanted.map((w) => w.name));
    wanted.forEach(({ name, target }, index) => {
      const text = raw[index];
      if (text === null || text === undefined) return;
      try {
        const result = JSON.parse(text) as TcpProbeResult;
        if (result.target === target && now - result.at <= TCP_PROBE_MAX_AGE_MS) found.set(name, result);
      } catch {
        // A value this code did not write: ignored.
      }
    });
    return found;
  }
}
