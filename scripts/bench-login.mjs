#!/usr/bin/env node
// `npm run bench:login`: what a burst of wrong logins does to everyone else. A logged-in client keeps
// calling GET /api/current-user and fetching one of the SPA's files, one request at a time, while bursts of
// 200 simultaneous wrong logins arrive (from another process, BENCH_BURSTS of them, 300 ms apart); its
// latencies while a burst is in flight are compared with its latencies without bursts (target: p99 within
// 5×). Two scenarios: every login from one address (the per-address limit answers most with 429), and the
// address limit lifted, as for an attack from many addresses (the bound on password hashes at once answers
// the surplus with 503). BENCH_SECONDS (default 4) of quiet measurement. When `taskset` exists, the server's
// event loop is pinned to core 0 (BENCH_PIN_ALL=1: all its threads, argon2's included), the client and the
// attacker to core 1 (BENCH_PIN=0 turns pinning off). BENCH_SCENARIO=one|many runs one scenario;
// BENCH_ENV="LOGIN_CONCURRENT_HASHES=1&..." passes settings to the server.
import { fork } from 'node:child_process';
import { resolve } from 'node:path';
import { adminCookie, buildProjects, percentile, pin, pinTo, root } from './bench-support.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 4);
const bursts = Number(process.env.BENCH_BURSTS ?? 15);
const burst = Number(process.env.BENCH_BURST ?? 200);

buildProjects('api', 'web', 'testing');
const { startApiProcess } = await import('@proxdeck/testing');

function summary(samples) {
  const sorted = [...samples].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
}

/** The logged-in client: one request after another until `until()` says stop; latency of each, in ms. */
async function client(url, headers, until) {
  const samples = [];
  while (!until()) {
    const started = performance.now();
    const response = await fetch(url, { headers });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    samples.push(performance.now() - started);
  }
  return samples;
}

async function scenario(name, env) {
  const stack = await startApiProcess({
    env: { LOG_LEVEL: 'error', RUN_WORKERS: 'false', PVE_SIM_PORT: '0', ...env },
  });
  try {
    if (pin) {
      // The event loop on core 0; libuv's thread pool (where argon2 hashes run) is left free, as on a
      // server with more than one core. Pinning it too would make hashes and the event loop share one core.
      pinTo(stack.api.child.pid, 0, process.env.BENCH_PIN_ALL === '1');
      pinTo(process.pid, 1);
    }
    const cookie = await adminCookie(stack);
    const html = await (await fetch(`${stack.baseUrl}/`, { headers: { accept: 'text/html' } })).text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    if (!asset) throw new Error('the built SPA has no script asset (run npm run build)');
    const targets = {
      'GET /api/current-user': [`${stack.baseUrl}/api/current-user`, { cookie }],
      [`GET ${asset}`]: [`${stack.baseUrl}${asset}`, {}],
    };

    const attacker = fork(resolve(root, 'scripts/bench-login-burst.mjs'), [stack.baseUrl], {
      stdio: 'inherit',
    });
    await new Promise((ready) => attacker.once('message', ready));
    if (pin) pinTo(attacker.pid, 1);
    const fire = () =>
      new Promise((done) => {
        attacker.once('message', done);
        attacker.send({ size: burst });
      });

    // The client runs throughout; each sample is kept as quiet or as taken while a burst was in flight.
    let inBurst = false;
    let stop = false;
    const samples = Object.fromEntries(Object.keys(targets).map((key) => [key, { quiet: [], loud: [] }]));
    const clients = Object.entries(targets).map(async ([key, [url, headers]]) => {
      while (!stop) {
        const during = inBurst;
        const started = performance.now();
        const response = await fetch(url, { headers });
        await response.arrayBuffer();
        if (!response.ok) throw new Error(`${url}: ${response.status}`);
        (during || inBurst ? samples[key].loud : samples[key].quiet).push(performance.now() - started);
      }
    });
    await new Promise((done) => setTimeout(done, seconds * 1000));
    const statuses = {};
    const burstMs = [];
    for (let index = 0; index < bursts; index += 1) {
      inBurst = true;
      const { statuses: answers, ms } = await fire();
      inBurst = false;
      burstMs.push(ms);
      for (const status of answers) statuses[status] = (statuses[status] ?? 0) + 1;
      await new Promise((done) => setTimeout(done, 300));
    }
    stop = true;
    await Promise.all(clients);
    attacker.kill();

    console.log(`\n## ${name}`);
    console.log(
      `${bursts} bursts of ${burst} wrong logins, each answered in ${summary(burstMs).p50.toFixed(0)} ms (median); answers ${Object.entries(
        statuses,
      )
        .map(([status, count]) => `${status}×${count}`)
        .join(', ')}`,
    );
    for (const target of Object.keys(targets)) {
      const before = summary(samples[target].quiet);
      const during = summary(samples[target].loud);
      console.log(
        `${target.padEnd(34)} without bursts p50 ${before.p50.toFixed(2)} ms p99 ${before.p99.toFixed(2)} ms (${before.count})` +
          ` | during bursts p50 ${during.p50.toFixed(2)} ms p99 ${during.p99.toFixed(2)} ms (${during.count})` +
          ` | p99 ×${(during.p99 / before.p99).toFixed(1)} (target ≤ 5)`,
      );
    }
  } finally {
    await stack.stop();
  }
}

console.log(pin ? 'server pinned to core 0, this script (client and burst) to core 1' : 'no pinning');
const extra = process.env.BENCH_ENV ? Object.fromEntries(new URLSearchParams(process.env.BENCH_ENV)) : {};
if (process.env.BENCH_SCENARIO !== 'many')
  await scenario('one address: the per-address limit answers the surplus', { ...extra });
if (process.env.BENCH_SCENARIO !== 'one')
  await scenario('many addresses (per-address limit lifted): the hash bound answers the surplus', {
    LOGIN_MAX_FAILURES_PER_ADDRESS: '1000000',
    ...extra,
  });
