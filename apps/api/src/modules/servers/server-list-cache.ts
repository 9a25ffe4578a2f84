import { Injectable } from '@nestjs/common';
import { RedisService } from '../../platform/redis/redis.service';

const MAX_ENTRIES = 256;
const MAX_AGE_MS = 30_000;

interface Entry<T> {
  version: string;
  at: number;
  value: T;
}

/**
 * Pages of the server list, kept in this process while the inventory does not change: every write of the
 * inventory (ServersRepository) bumps a version in Redis, shared by all API and worker processes, and a page is
 * served from here only under the version it was read at (one Redis GET instead of the query). Entries live at
 * most 30 s, a bound on staleness should a bump be lost; without Redis nothing is cached.
 */
@Injectable()
export class ServerListCache {
  private readonly key: string;
  private readonly entries = new Map<string, Entry<unknown>>();

  constructor(private readonly redis: RedisService) {
    this.key = redis.key('servers', 'version');
  }

  /** Tells every process that the inventory changed. */
  async bump(): Promise<void> {
    try {
      await this.redis.client.incr(this.key);
    } catch {
      this.entries.clear(); // this process at least
    }
  }

  /** `read()` under the current version, or the page read before under the same version. */
  async get<T>(query: string, read: () => Promise<T>): Promise<T> {
    let version: string;
    try {
      version = (await this.redis.client.get(this.key)) ?? '0';
    } catch {
      return read();
    }
    const found = this.entries.get(query);
    if (found?.version === version && Date.now() - found.at < MAX_AGE_MS) {
      this.entries.delete(query); // most recently used last
      this.entries.set(query, found);
      return found.value as T;
    }
    const value = await read();
    this.entries.delete(query);
    this.entries.set(query, { version, at: Date.now(), value });
    if (this.entries.size > MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    return value;
  }
}
