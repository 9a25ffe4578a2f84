#!/usr/bin/env node
// `npm run bench:sse`: delivery latency of live events. 10, then 1,000 clients hold a stream open on one API
// instance; another process appends BENCH_EVENTS (100) events to the event log, 20 ms apart; each client
// notes when each event arrives. Reports p50/p99 from publish to receipt at both sizes, the ratio of the
// p99s (target ≤ 5), and the API's memory per client (resident size before and after the clients connect).
// The API is pinned to core 0 and the clients and publisher to core 1 when `taskset` exists (BENCH_PIN=0).
import { fork } from 'node:child_process';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { adminCookie, buildProjects, percentile, pin, pinTo, root } from './bench-support.mjs';

const events = Number(process.env.BENCH_EVENTS ?? 100);
const sizes = (process.env.BENCH_CLIENTS ?? '10,1000').split(',').map(Number);

buildProjects('api', 'testing');
const { startApiProcess } = await import('@proxdeck/testing');

const rssKiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);

/**
 * One stream client on a plain socket. It only notes each chunk with its arrival time (parsing later, after
 * the run), so that the measuring side, which shares a core with the publisher, adds as little as it can.
 */
function openClient(baseUrl, cookie, arrivals) {
  return new Promise((resolveOpen, reject) => {
    const req = request(
      `${baseUrl}/api/notifications/stream`,
      { headers: { cookie, accept: 'text/event-stream' }, agent: false },
      (res) => {
        if (res.statusCode !== 200) reject(new Error(`stream answered ${res.statusCode}`));
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          const now = performance.timeOrigin + performance.now();
          if (process.env.BENCH_PARSE_LIVE === '1') {
            for (const sent of chunk.matchAll(/"message":"([\d.]+)"/g)) arrivals.push(now, Number(sent[1]));
          } else arrivals.push(now, chunk);
        });
        resolveOpen(req);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Latencies (ms) from a client's noted chunks: each event's send time against its chunk's arrival. */
function latenciesOf(arrivals) {
  const latencies = [];
  for (let index = 0; index < arrivals.length; index += 2) {
    if (typeof arrivals[index + 1] === 'number') {
      latencies.push(arrivals[index] - arrivals[index + 1]);
      continue;
    }
    for (const sent of arrivals[index + 1].matchAll(/"message":"([\d.]+)"/g)) {
      latencies.push(arrivals[index] - Number(sent[1]));
    }
  }
  return latencies;
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
    const arrivals = Array.from({ length: size }, () => []);
    const clients = [];
    for (let index = 0; index < size; index += 1) {
      clients.push(await openClient(stack.baseUrl, cookie, arrivals[index]));
    }
    await new Promise((settle) => setTimeout(settle, 1000));
    const after = rssKiB(stack.api.child.pid);
    await new Promise((done) => {
      publisher.once('message', done);
      publisher.send({ run });
    });
    await new Promise((settle) => setTimeout(settle, 1000)); // the last events reach every client
    for (const client of clients) client.destroy();
    await new Promise((settle) => setTimeout(settle, 500));
    const sorted = arrivals.flatMap(latenciesOf).sort((a, b) => a - b);
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
