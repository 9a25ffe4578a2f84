import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { testRedisUrl } from './database';
import { deleteRedisKeys } from './redis';

describe('deleteRedisKeys', () => {
  const redis = new Redis(testRedisUrl());
  afterAll(() => {
    redis.disconnect();
  });

  it('deletes the keys under a prefix and nothing else', async () => {
    const prefix = `pdtest-keys-${randomBytes(3).toString('hex')}`;
    await redis.set(`${prefix}:session:a`, '1');
    await redis.hset(`${prefix}:bull:system:1`, 'data', '{}');
    await redis.set(`${prefix}x:session:a`, 'neighbour');

    expect(await deleteRedisKeys(prefix)).toBe(2);
    expect(await redis.exists(`${prefix}:session:a`, `${prefix}:bull:system:1`)).toBe(0);
    expect(await redis.get(`${prefix}x:session:a`)).toBe('neighbour');
    await redis.del(`${prefix}x:session:a`);
  });

  it('refuses a prefix that is empty or a pattern', async () => {
    await expect(deleteRedisKeys('')).rejects.toThrow('refusing');
    await expect(deleteRedisKeys('*')).rejects.toThrow('refusing');
  });
});
