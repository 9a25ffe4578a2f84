#!/usr/bin/env node
// `npm run bench:pve`: two figures for the Proxmox side of Proxdeck, measured against the built simulator.
//  1. Following 200 concurrent tasks: PVE requests per second made by the client's task watcher (one
//     /cluster/tasks request per interval for all tasks, plus one log read per finished task) versus naive
//     per-task polling of /nodes/{node}/tasks/{upid}/status at the same interval; both figures and the ratio.
//  2. The simulator's throughput for GET /cluster/resources with 2,000 VMs (autocannon, HTTPS, 10 connections),
//     with the simulator in its own process as `nx serve pve-sim` runs it.
// Options (env): BENCH_TASKS (200), BENCH_INTERVAL_MS (1000), BENCH_TIME_SCALE (0.2), BENCH_DURATION_S (10).
import { execSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const simDist = join(root, 'apps/pve-sim/dist/index.js');
const simMain = join(root, 'apps/pve-sim/dist/main.js');
const clientDist = join(root, 'libs/pve-client/dist/index.js');
if (![simDist, simMain, clientDist].every((f) => existsSync(f))) {
  console.log('building pve-client and pve-sim first…');
  execSync('npx nx run pve-sim:build --outputStyle=static', { cwd: root, stdio: 'inherit' });
}
const { startPveSimulator } = require(simDist);
const { PveClient } = require(clientDist);
const { Agent, request } = require('undici');

const TASKS = Number(process.env.BENCH_TASKS ?? 200);
const INTERVAL_MS = Number(process.env.BENCH_INTERVAL_MS ?? 1000);
const TIME_SCALE = Number(process.env.BENCH_TIME_SCALE ?? 0.2);
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);

// Credentials are made up per run; nothing is hard-coded.
const rootPassword = randomUUID();
const token = { id: 'root@pam!bench', secret: randomUUID() };
const certDir = mkdtempSync(join(tmpdir(), 'pve-bench-certs-'));

// ---- 1. following tasks ---------------------------------------------------------------------------------

const POLL_KEYS = ['GET /cluster/tasks', 'GET /nodes/{node}/tasks', 'GET /nodes/{node}/tasks/{upid}/status'];
const LOG_KEY = 'GET /nodes/{node}/tasks/{upid}/log';

/** Requests the simulator has served so far: all, status polls, log reads. */
function counts(sim) {
  const c = sim.requestCounts();
  return {
    total: Object.values(c).reduce((a, b) => a + b, 0),
    polls: POLL_KEYS.reduce((a, k) => a + (c[k] ?? 0), 0),
    logs: c[LOG_KEY] ?? 0,
  };
}

function figures(before, after, seconds, ok) {
  const requests = after.total - before.total;
  const polls = after.polls - before.polls;
  return {
    requests,
    polls,
    logs: after.logs - before.logs,
    seconds,
    rps: requests / seconds,
    pollRps: polls / seconds,
    ok,
  };
}

function newClient(sim, extra = {}) {
  return new PveClient({
    baseUrl: sim.url,
    caFile: sim.caFile,
    auth: { type: 'token', tokenId: token.id, secret: token.secret },
    ...extra,
  });
}

/** Starts TASKS full clones spread over the four templates (and so over the three nodes). */
async function startClones(client, firstId) {
  const templates = [
    ['pve1', 8000],
    ['pve1', 8001],
    ['pve2', 9000],
    ['pve3', 9001],
  ];
  const upids = [];
  for (let i = 0; i < TASKS; i++) {
    const [node, template] = templates[i % templates.length];
    upids.push(await client.cloneVm(node, template, { newid: firstId + i, full: 1 }));
  }
  return upids;
}

async function followWithWatcher(sim, firstId, logTailLines) {
  const client = newClient(sim, { taskWatcher: { intervalMs: INTERVAL_MS, logTailLines } });
  const upids = await startClones(client, firstId);
  const before = counts(sim);
  const started = Date.now();
  const results = await Promise.all(upids.map((u) => client.waitForTask(u, { timeoutMs: 600_000 })));
  const seconds = (Date.now() - started) / 1000;
  await client.close();
  return figures(before, counts(sim), seconds, results.filter((r) => r.ok).length);
}

async function followNaively(sim) {
  const client = newClient(sim, { maxConcurrentPerNode: 64 });
  const upids = await startClones(client, 20_000);
  const before = counts(sim);
  const started = Date.now();
  const results = await Promise.all(
    upids.map(async (upid) => {
      for (;;) {
        const status = await client.taskStatus(upid);
        if (status.status === 'stopped') {
          await client.taskLog(upid, { start: 0, limit: 0 });
          return status.exitstatus === 'OK';
        }
        await new Promise((r) => setTimeout(r, INTERVAL_MS));
      }
    }),
  );
  const seconds = (Date.now() - started) / 1000;
  await client.close();
  return figures(before, counts(sim), seconds, results.filter(Boolean).length);
}

async function benchTasks() {
  const sim = await startPveSimulator({
    port: 0,
    rootPassword,
    apiToken: token,
    timeScale: TIME_SCALE,
    certDir,
    seed: 7,
  });
  try {
    const watcher = await followWithWatcher(sim, 10_000, 20);
    const watcherNoLogs = await followWithWatcher(sim, 30_000, 0);
    const naive = await followNaively(sim);
    return { watcher, watcherNoLogs, naive };
  } finally {
    await sim.close();
  }
}

// ---- 2. /cluster/resources throughput -------------------------------------------------------------------

async function startSimProcess(env) {
  const child = spawn(process.execPath, [simMain], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise((resolveUrl, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = /listening on (\S+)/.exec(out);
      if (m) resolveUrl(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`simulator exited with code ${code}`)));
  });
  const stop = () =>
    new Promise((done) => {
      child.once('exit', done);
      child.kill('SIGTERM');
    });
  return { url, stop };
}

async function getJson(url, authorization) {
  const dispatcher = new Agent({ connect: { rejectUnauthorized: false } });
  const res = await request(url, { headers: { authorization }, dispatcher });
  const json = await res.body.json();
  await dispatcher.close();
  return json;
}

async function benchResources() {
  const sim = await startSimProcess({
    PVE_SIM_ROOT_PASSWORD: rootPassword,
    PVE_SIM_TOKEN_ID: token.id,
    PVE_SIM_TOKEN_SECRET: token.secret,
    PVE_SIM_PORT: '0',
    PVE_SIM_SCENARIO: 'large',
    PVE_SIM_CERT_DIR: certDir,
    PVE_SIM_SEED: '7',
  });
  try {
    const authorization = `PVEAPIToken=${token.id}=${token.secret}`;
    const vms = (await getJson(`${sim.url}/api2/json/cluster/resources?type=vm`, authorization)).data.length;
    const result = await autocannon({
      url: `${sim.url}/api2/json/cluster/resources`,
      connections: 10,
      duration: DURATION_S,
      headers: { authorization },
    });
    return {
      vms,
      rps: result.requests.average,
      latencyMs: result.latency.average,
      p99Ms: result.latency.p99,
      non2xx: result.non2xx,
      kibPerAnswer: result.throughput.average / Math.max(1, result.requests.average) / 1024,
    };
  } finally {
    await sim.stop();
  }
}

// ---- report ---------------------------------------------------------------------------------------------

const tasks = await benchTasks();
console.log(
  `\nFollowing ${TASKS} concurrent clone tasks (poll interval ${INTERVAL_MS} ms, time scale ${TIME_SCALE}):`,
);
for (const [label, f] of [
  ['task watcher              ', tasks.watcher],
  ['task watcher, no log tails', tasks.watcherNoLogs],
  ['naive per-task polling    ', tasks.naive],
]) {
  console.log(
    `  ${label}: ${f.rps.toFixed(1)} PVE req/s in all (${f.requests} in ${f.seconds.toFixed(1)} s): ` +
      `status polling ${f.pollRps.toFixed(1)} req/s (${f.polls}), log reads ${f.logs}; ${f.ok}/${TASKS} tasks OK`,
  );
}
console.log(
  `  ratio naive/watcher: ${(tasks.naive.rps / tasks.watcher.rps).toFixed(1)}x in all, ` +
    `${(tasks.naive.pollRps / tasks.watcher.pollRps).toFixed(0)}x for status polling`,
);

const resources = await benchResources();
console.log(
  `\nGET /cluster/resources with ${resources.vms} VMs (HTTPS, simulator in its own process, 10 connections, ${DURATION_S} s):`,
);
console.log(
  `  ${resources.rps.toFixed(1)} req/s, mean latency ${resources.latencyMs.toFixed(1)} ms, p99 ${resources.p99Ms} ms, ` +
    `${resources.kibPerAnswer.toFixed(0)} KiB per answer, non-2xx ${resources.non2xx}`,
);
rmSync(certDir, { recursive: true, force: true });
