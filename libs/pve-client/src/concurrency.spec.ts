import { KeyedLimiter } from './concurrency';

describe('KeyedLimiter', () => {
  it('runs at most `limit` jobs per key and queues the rest in order', async () => {
    const limiter = new KeyedLimiter(2);
    const releases: (() => void)[] = [];
    const started: number[] = [];
    const job = (n: number): Promise<number> =>
      limiter.run('pve1', async () => {
        started.push(n);
        await new Promise<void>((resolve) => releases.push(resolve));
        return n;
      });
    const other = limiter.run('pve2', () => Promise.resolve('other'));
    const jobs = [1, 2, 3, 4].map(job);
    await expect(other).resolves.toBe('other');
    await Promise.resolve();
    expect(started).toEqual([1, 2]);
    expect(limiter.activeCount('pve1')).toBe(2);
    releases.shift()?.();
    await jobs[0];
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([1, 2, 3]);
    while (releases.length > 0 || started.length < 4) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await expect(Promise.all(jobs)).resolves.toEqual([1, 2, 3, 4]);
    expect(limiter.activeCount('pve1')).toBe(0);
  });
});
