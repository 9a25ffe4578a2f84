import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RedisService } from '../redis/redis.service';
import type { PveResources } from './job-context';

/**
 * Takes one slot of every key, or none: each key is a sorted set of leases scored by their expiry (Redis
 * time, so every process agrees). Expired leases (a worker that died) are dropped first.
 * KEYS: the sets. ARGV: lease id, lease ms, then one limit per key. Returns 0, or 1 when taken.
 */
const ACQUIRE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now)
  if redis.call('ZCARD', key) >= tonumber(ARGV[2 + i]) then return 0 end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now + tonumber(ARGV[2]), ARGV[1])
  redis.call('PEXPIRE', key, tonumber(ARGV[2]) * 2)
end
return 1`;

/** Extends a lease on every key that still holds it. Returns how many keys did. */
const RENEW = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local kept = 0
for _, key in ipairs(KEYS) do
  if redis.call('ZSCORE', key, ARGV[1]) then
    redis.call('ZADD', key, now + tonumber(ARGV[2]), ARGV[1])
    redis.call('PEXPIRE', key, tonumber(ARGV[2]) * 2)
    kept = kept + 1
  end
end
return kept`;

/** The longest pause between two tries of a waiting operation (doubling from 50 ms, with jitter). */
const MAX_PAUSE_MS = 250;

export interface GovernorLease {
  readonly id: string;
  release(): Promise<void>;
}

interface Slot {
  key: string;
  label: string;
  limit: number;
}

/**
 * The resource governor: at most TASK_CONCURRENCY_PER_NODE Proxmox operations at once on one node and
 * TASK_CONCURRENCY_PER_STORAGE on one storage, across every worker process of the installation. Slots are
 * leases in Redis, renewed while held; a worker that dies stops renewing and its slots free themselves after
 * QUEUE_LOCK_DURATION_MS, as its Bull jobs do.
 */
@Injectable()
export class ResourceGovernor {
  private readonly logger = new Logger(ResourceGovernor.name);
  private readonly leaseMs: number;
  /** Operations of this process waiting for a slot, woken as soon as this process frees one of theirs. */
  private readonly waiting = new Set<{ keys: readonly string[]; wake: () => void }>();

  constructor(
    private readonly redis: RedisService,
    private readonly config: AppConfig,
  ) {
    this.leaseMs = Math.max(1_000, config.values.QUEUE_LOCK_DURATION_MS);
  }

  /**
   * Waits until a slot of every resource is free and takes them all at once (never one while waiting for
   * another, so two operations cannot deadlock). `onWait` is told, once, what the operation waits for.
   */
  async acquire(resources: PveResources, onWait?: (reason: string) => Promise<void>): Promise<GovernorLease> {
    const slots = this.slotsOf(resources);
    const id = randomUUID();
    if (slots.length === 0) return { id, release: () => Promise.resolve() };
    let pause = 50;
    let told = false;
    while (!(await this.tryAcquire(id, slots))) {
      if (!told && onWait) {
        told = true;
        await onWait(`waiting for a free slot on ${slots.map((slot) => slot.label).join(' and ')}`);
      }
      await this.nextChance(
        slots.map((slot) => slot.key),
        pause + Math.random() * pause,
      );
      pause = Math.min(pause * 2, MAX_PAUSE_MS);
    }
    return this.hold(id, slots);
  }

  /** Runs `work` holding slots for `resources`. */
  async run<R>(
    resources: PveResources,
    work: () => Promise<R>,
    onWait?: (reason: string) => Promise<void>,
  ): Promise<R> {
    const lease = await this.acquire(resources, onWait);
    try {
      return await work();
    } finally {
      await lease.release();
    }
  }

  /** Operations holding a slot of a node now (for tests and metrics). */
  async inUse(kind: 'node' | 'storage', name: string): Promise<number> {
    const key = this.redis.key('governor', kind, name);
    const [seconds, micros] = await this.redis.client.time();
    await this.redis.client.zremrangebyscore(
      key,
      '-inf',
      Number(seconds) * 1000 + Math.floor(Number(micros) / 1000),
    );
    return this.redis.client.zcard(key);
  }

  /**
   * Resolves after `ms`, or as soon as this process releases a slot of `keys` (a slot freed by another process
   * is seen at the next try, at most MAX_PAUSE_MS × 2 later).
   */
  private nextChance(keys: readonly string[], ms: number): Promise<void> {
    return new Promise((resolve) => {
      const waiter = {
        keys,
        wake: () => {
          clearTimeout(timer);
          this.waiting.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.wake, ms);
      this.waiting.add(waiter);
    });
  }

  private slotsOf(resources: PveResources): Slot[] {
    const values = this.config.values;
    const slots: Slot[] = [];
    if (resources.node !== undefined) {
      slots.push({
        key: this.redis.key('governor', 'node', resources.node),
        label: `node ${resources.node}`,
        limit: values.TASK_CONCURRENCY_PER_NODE,
      });
    }
    for (const storage of new Set(resources.storages ?? [])) {
      slots.push({
        key: this.redis.key('governor', 'storage', storage),
        label: `storage ${storage}`,
        limit: values.TASK_CONCURRENCY_PER_STORAGE,
      });
    }
    return slots;
  }

  private async tryAcquire(id: string, slots: Slot[]): Promise<boolean> {
    const taken = await this.redis.client.eval(
      ACQUIRE,
      slots.length,
      ...slots.map((slot) => slot.key),
      id,
      this.leaseMs,
      ...slots.map((slot) => slot.limit),
    );
    return taken === 1;
  }

  private hold(id: string, slots: Slot[]): GovernorLease {
    const keys = slots.map((slot) => slot.key);
    const renew = async (): Promise<void> => {
      const kept = (await this.redis.client.eval(RENEW, keys.length, ...keys, id, this.leaseMs)) as number;
      if (kept < keys.length)
        this.logger.warn(
          `Lease ${id} lost on ${keys.length - kept} resource(s); it was held too long unrenewed`,
        );
    };
    const timer = setInterval(
      () => {
        renew().catch((error: unknown) => {
          this.logger.warn(
            `Could not renew lease ${id}: ${error instanceof Error ? error.message : String(error)}`,
          );
        });
      },
      Math.floor(this.leaseMs / 3),
    );
    timer.unref();
    let released = false;
    return {
      id,
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(timer);
        const pipeline = this.redis.client.multi();
        for (const key of keys) pipeline.zrem(key, id);
        await pipeline.exec();
        for (const waiter of [...this.waiting])
          if (waiter.keys.some((key) => keys.includes(key))) waiter.wake();
      },
    };
  }
}
