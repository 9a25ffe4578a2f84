#!/usr/bin/env node
// `npm run bench`: throughput of an authenticated GET /api/current-user (session cookie: Redis session,
// cached user, access guard, envelope) against the same JSON answered by a bare Fastify route.
// Each server runs in its own process; autocannon drives 50 connections for 10 s (BENCH_SECONDS) each,
// alternating BENCH_ROUNDS (5) times; the medians are compared.
// On a machine with two or more cores and `taskset`, each server is pinned to core 0 and the load generator
// to core 1 (BENCH_PIN=0 turns this off): otherwise autocannon and the server fight over the same cores and
// single runs swing by a third. Both servers run under the same conditions, so the ratio stays fair.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import autocannon from 'autocannon';
import { adminCookie, buildProjects, pin, pinTo, root } from './bench-support.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const rounds = Number(process.env.BENCH_ROUNDS ?? 5);

/** CPU time (user + system, in clock ticks of 10 ms) a process has used so far. */
function cpuTicks(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

buildProjects('api', 'testing');

const { startApiProcess, freePort, waitFor } = await import('@proxdeck/testing');

/** One autocannon run, with the server's CPU time per request (µs) when /proc can tell. */
async function load(url, headers, serverPid) {
  const ticksBefore = cpuTicks(serverPid);
  const result = await new Promise((resolveRun, reject) => {
    autocannon({ url, connections, duration: seconds, headers }, (error, run) =>
      error ? reject(error) : resolveRun(run),
    );
  });
  result.serverCpuMicros =
    ((cpuTicks(serverPid) - ticksBefore) * 10_000) / Math.max(1, result.requests.total);
  return result;
}

const stack = await startApiProcess({
  env: {
    LOG_LEVEL: 'error',
    RUN_WORKERS: 'false',
    PVE_SIM_PORT: '0',
    DATA_DIR: resolve(root, '.data/bench'),
  },
});
let bareServer;
try {
  const cookie = await adminCookie(stack);
  const url = `${stack.baseUrl}/api/current-user`;
  const sample = await (await fetch(url, { headers: { cookie } })).text();
  if (!sample.includes('"success":true')) throw new Error(`authenticated request failed: ${sample}`);

  const port = await freePort();
  const bareSource = `
    const app = require('fastify')({ logger: false });
    const body = ${JSON.stringify(sample)};
    app.get('/api/current-user', async (request, reply) => reply.type('application/json; charset=utf-8').send(body));
    app.listen({ port: ${port}, host: '127.0.0.1' });`;
  bareServer = spawn(process.execPath, ['-e', bareSource], { cwd: root, stdio: 'inherit' });
  await waitFor(
    async () => ((await fetch(`http://127.0.0.1:${port}/api/current-user`)).ok ? true : undefined),
    {
      timeoutMs: 10_000,
      what: 'the bare Fastify server',
    },
  );

  const apiPid = stack.api.child.pid;
  if (pin) {
    pinTo(apiPid, 0);
    pinTo(bareServer.pid, 0);
    pinTo(process.pid, 1);
  }
  const bareUrl = `http://127.0.0.1:${port}/api/current-user`;

  // Alternate the two servers over several rounds and compare medians: on a small shared machine single
  // runs swing by a third.
  console.log(
    `\n${pin ? 'servers pinned to core 0, load generator to core 1; ' : ''}warming up, then ${rounds} alternating rounds of ${connections} connections × ${seconds} s each ...`,
  );
  await load(bareUrl, {}, bareServer.pid);
  await load(url, { cookie }, apiPid);
  const bareRuns = [];
  const apiRuns = [];
  for (let round = 1; round <= rounds; round += 1) {
    bareRuns.push(await load(bareUrl, {}, bareServer.pid));
    apiRuns.push(await load(url, { cookie }, apiPid));
    const ratio = apiRuns.at(-1).requests.average / bareRuns.at(-1).requests.average;
    console.log(
      `round ${round}: bare ${bareRuns.at(-1).requests.average.toFixed(0)} req/s, Proxdeck ${apiRuns.at(-1).requests.average.toFixed(0)} req/s (${(ratio * 100).toFixed(1)} %)`,
    );
  }
  const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  const summary = (runs) => ({
    rps: median(runs.map((run) => run.requests.average)),
    p50: median(runs.map((run) => run.latency.p50)),
    p99: median(runs.map((run) => run.latency.p99)),
    cpu: median(runs.map((run) => run.serverCpuMicros)),
    failures: runs.reduce((sum, run) => sum + run.non2xx + run.errors, 0),
  });
  const bare = summary(bareRuns);
  const api = summary(apiRuns);
  const row = (name, result) =>
    `${name.padEnd(34)} ${result.rps.toFixed(0).padStart(8)} req/s   p50 ${String(result.p50).padStart(4)} ms   p99 ${String(result.p99).padStart(4)} ms   server CPU ${result.cpu.toFixed(0).padStart(3)} µs/req`;
  console.log('\nGET /api/current-user (medians)');
  console.log(row('bare Fastify (same body)', bare));
  console.log(row('Proxdeck, authenticated session', api));
  const ratio = api.rps / bare.rps;
  console.log(
    `ratio: ${(ratio * 100).toFixed(1)} % of bare Fastify (target ≥ 40 %)${api.failures ? `; ${api.failures} non-2xx/errors!` : ''}`,
  );
} finally {
  bareServer?.kill();
  await stack.stop();
}
