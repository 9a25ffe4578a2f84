import Redis from 'ioredis';
import { testRedisUrl } from './database';

/**
 * Deletes every key under `prefix:` (sessions, throttles, Bull's queues of one test stack), so that test
 * runs leave the shared Redis as they found it. Returns how many keys went.
 */
export async function deleteRedisKeys(prefix: string, url = testRedisUrl()): Promise<number> {
  if (!/^[A-Za-z0-9_-]+$/.test(prefix)) throw new Error(`refusing to delete keys under "${prefix}"`);
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  try {
    let deleted = 0;
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) deleted += await redis.unlink(...keys);
    } while (cursor !== '0');
    return deleted;
  } finally {
    redis.disconnect();
  }
}
