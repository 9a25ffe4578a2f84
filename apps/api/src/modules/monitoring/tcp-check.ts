import { Socket } from 'node:net';

export interface TcpCheckResult {
  ok: boolean;
  /** Why it failed: `ECONNREFUSED`, `timeout after 2000 ms`, ... */
  error?: string;
  ms: number;
}

/** Opens a TCP connection to `host:port` and closes it at once; fails after `timeoutMs`. */
export function tcpCheck(host: string, port: number, timeoutMs: number): Promise<TcpCheckResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const socket = new Socket();
    let settled = false;
    const done = (error?: string) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve({
        ok: error === undefined,
        ...(error !== undefined ? { error } : {}),
        ms: Date.now() - started,
      });
    };
    socket.setTimeout(timeoutMs, () => {
      done(`timeout after ${String(timeoutMs)} ms`);
    });
    socket.once('connect', () => {
      done();
    });
    socket.once('error', (error: NodeJS.ErrnoException) => {
      done(error.code ?? error.message);
    });
    socket.connect({ host, port });
  });
}

/** Maps items with at most `limit` calls running at once, keeping the order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}
