#!/usr/bin/env node
// `npm run bench:sse`: delivery latency of live events. 10, then 1,000 clients hold a stream open on one API
// instance; another process appends BENCH_WARMUP (10) unmeasured events, then BENCH_EVENTS (100) events to the
// event log, 20 ms apart; each client notes when each event arrives. Reports p50/p99 from publish to receipt at both sizes, the ratio of the
// p99s (target ≤ 5), and the API's memory per client (resident size before and after the clients connect).
// The API is pinned to core 0 and the clients and publisher to core 1 when `taskset` exists (BENCH_PIN=0).
import { fork } from 'node:child_process';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { adminCookie, buildProjects, percentile, pin, pinTo, root } from './bench-support.mjs';

const events = Number(process.env.BENCH_EVENTS ?? 100);
const sizes = (process.env.BENCH_CLIENTS ?? '10,1000').split(',').map(Number);
/**
 * Events sent first and left out of the figures (BENCH_WARMUP): the first few after a thousand connections
 * open take several times longer (each new socket's first writes, the code paths warming up), which says
 * nothing of delivery once the streams are running.
 */
const warmup = Number(process.env.BENCH_WARMUP ?? 10);

buildProjects('api', 'testing');
const { startApiProcess } = await import('@proxdeck/testing');

const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

/**
 * One stream client on a bare TCP socket: it writes the request itself and, as each chunk arrives, finds the
 * send times of the task frames in it with native byte searches and notes each latency in a preallocated array,
 * without an HTTP parser, a stream decoder or objects kept per chunk, so that the measuring side, which shares a
 * core with the publisher, adds as little as it can (work, or pauses of its garbage collector) to what it
 * measures. A frame cut across two chunks is joined first (the bytes after the chunk's last frame end).
 */
function openClient(baseUrl, cookie, client) {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolveOpen, reject) => {
    const socket = connect({ host: hostname, port: Number(port) }, () => {
      socket.write(
        `GET /api/notifications/stream HTTP/1.1\r\nhost: ${hostname}:${port}\r\ncookie: ${cookie}\r\n` +
          'accept: text/event-stream\r\n\r\n',
      );
    });
    let opened = false;
    let carry = null;
    socket.on('data', (data) => {
      const now = performance.timeOrigin + performance.now();
      const chunk = carry === null ? data : Buffer.concat([carry, data]);
      carry = null;
      for (let at = chunk.indexOf(MESSAGE); at !== -1; at = chunk.indexOf(MESSAGE, at)) {
        const start = at + MESSAGE.length;
        const close = chunk.indexOf(QUOTE, start);
        if (close === -1) break;
        const sent = Number(chunk.toString('latin1', start, close));
        at = close;
        if (Number.isNaN(sent)) continue; // a warm-up event
        if (client.received < client.latencies.length) client.latencies[client.received] = now - sent;
        client.received += 1;
      }
      // Bytes after the last complete frame (beyond the chunked encoding's CRLF) start a frame cut in two.
      const last = chunk.lastIndexOf(FRAME_END);
      const tail = last === -1 ? chunk.length : chunk.length - (last + FRAME_END.length);
      if (tail > 2 && chunk.indexOf(MESSAGE, chunk.length - tail) === -1)
        carry = chunk.subarray(chunk.length - tail);
      if (!opened) {
        opened = true;
        if (!chunk.toString('latin1', 0, 12).startsWith('HTTP/1.1 200'))
          reject(new Error(`stream answered ${chunk.toString('latin1', 0, 12)}`));
        else resolveOpen(socket);
      }
    });
    socket.on('error', reject);
  });
}
const MESSAGE = Buffer.from('"message":"');
const QUOTE = Buffer.from('"');
const FRAME_END = Buffer.from('\n\n');

/** Waits until `done()` holds, checking every 50 ms, for at most `ms`. */
async function until(done, ms) {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await new Promise((settle) => setTimeout(settle, 50));
}

const stack = await startApiProcess({ env: { LOG_LEVEL: 'error', RUN_WORKERS: 'false', PVE_SIM_PORT: '0' } });
try {
  if (pin) {
    pinTo(stack.api.child.pid, 0);
    pinTo(process.pid, 1);
  }
  const cookie = await adminCookie(stack);
  const publisher = fork(
    resolve(root, 'scripts/bench-sse-publisher.mjs'),
    [stack.env.REDIS_URL, `${stack.env.REDIS_PREFIX}:events`, String(events), '20'],
    { stdio: 'inherit' },
  );
  await new Promise((ready) => publisher.once('message', ready));
  if (pin) pinTo(publisher.pid, 1);

  const results = [];
  for (const [run, size] of sizes.entries()) {
    const before = rssKiB(stack.api.child.pid);
    const states = Array.from({ length: size }, () => ({ latencies: new Float64Array(events), received: 0 }));
    const clients = [];
    for (let index = 0; index < size; index += 1) {
      clients.push(await openClient(stack.baseUrl, cookie, states[index]));
    }
    await new Promise((settle) => setTimeout(settle, 1000));
    const after = rssKiB(stack.api.child.pid);
    await new Promise((done) => {
      publisher.once('message', done);
      publisher.send({ run, warmup });
    });
    // The last events reach every client (or, past 30 s, the run reports how many did not).
    await until(() => states.every((state) => state.received >= events), 30_000);
    for (const client of clients) client.destroy();
    await new Promise((settle) => setTimeout(settle, 500));
    const sorted = states
      .flatMap((state) => Array.from(state.latencies.subarray(0, Math.min(state.received, events))))
      .sort((a, b) => a - b);
    results.push({
      size,
      received: sorted.length,
      expected: size * events,
      p50: percentile(sorted, 0.5),
      p99: percentile(sorted, 0.99),
      perClientKiB: (after - before) / size,
    });
    const last = results.at(-1);
    console.log(
      `${String(size).padStart(5)} clients: ${last.received}/${last.expected} events received; ` +
        `publish → receipt p50 ${last.p50.toFixed(2)} ms, p99 ${last.p99.toFixed(2)} ms; ` +
        `API memory ${last.perClientKiB.toFixed(1)} KiB per client`,
    );
  }
  publisher.kill();
  if (results.length >= 2) {
    const ratio = results.at(-1).p99 / results[0].p99;
    console.log(
      `p99 at ${results.at(-1).size} clients / p99 at ${results[0].size}: ×${ratio.toFixed(1)} (target ≤ 5)`,
    );
  }
} finally {
  await stack.stop();
}
