// The publisher of `npm run bench:sse`, in a process of its own: appends events to the installation's event
// log as any Proxdeck process does (same stream, same fields), each carrying the moment it was sent. Asked for a
// `warmup`, it first sends that many events that carry no time (the clients leave them out of the figures).
import Redis from 'ioredis';

const [redisUrl, streamKey, count, gapMs] = process.argv.slice(2);
const redis = new Redis(redisUrl);
const audience = JSON.stringify({ userId: null, broadcast: true });

process.on('message', async ({ run, warmup = 0 }) => {
  for (let index = -warmup; index < Number(count); index += 1) {
    const sentAt = performance.timeOrigin + performance.now();
    const data = {
      task_id: `bench-${run}-${index}`,
      status: 'running',
      progress: 0,
      message: index < 0 ? 'warm-up' : String(sentAt),
    };
    await redis.xadd(streamKey, '*', 'e', 'task', 'd', JSON.stringify(data), 'a', audience);
    await new Promise((resume) => setTimeout(resume, Number(gapMs)));
  }
  process.send({ done: true });
});
process.send({ ready: true });
