import { hostname } from 'node:os';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { RedisService } from '../redis/redis.service';

export interface WorkerRecord {
  id: string;
  host: string;
  pid: number;
  queues: string[];
  started_at: string;
}

const HEARTBEAT_MS = 10_000;

/** Worker processes announce themselves in Redis with a heartbeat, for GET /api/celery/status. */
@Injectable()
export class WorkerRegistry implements OnApplicationShutdown {
  private record: WorkerRecord | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly redis: RedisService) {}

  async register(id: string, queues: string[]): Promise<void> {
    this.record = { id, host: hostname(), pid: process.pid, queues, started_at: new Date().toISOString() };
    await this.beat();
    this.timer = setInterval(() => void this.beat().catch(() => undefined), HEARTBEAT_MS);
    this.timer.unref();
  }

  async unregister(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.record)
      await this.redis.client.del(this.redis.key('worker', this.record.id)).catch(() => undefined);
    this.record = null;
  }

  async list(): Promise<WorkerRecord[]> {
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.redis.client.scan(
        cursor,
        'MATCH',
        this.redis.key('worker', '*'),
        'COUNT',
        200,
      );
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const values = await this.redis.client.mget(keys);
    return values
      .filter((value): value is string => value !== null)
      .map((value) => JSON.parse(value) as WorkerRecord)
      .sort((a, b) => a.started_at.localeCompare(b.started_at));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.unregister();
  }

  private async beat(): Promise<void> {
    if (!this.record) return;
    await this.redis.client.set(
      this.redis.key('worker', this.record.id),
      JSON.stringify(this.record),
      'PX',
      HEARTBEAT_MS * 3,
    );
  }
}
