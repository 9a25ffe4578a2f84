#!/usr/bin/env node
// `npm run bench:servers`: the servers module under load, against the built-in simulator.
// (1) Bulk creation of BENCH_SERVERS (50) servers, the simulator's full clone taking about 2 s: wall time
//     against the ideal for SERVER_CREATE_CONCURRENCY, i.e. one server's creation time × ⌈N / concurrency⌉
//     (target within 1.5×).
// (2) GET /api/servers?per_page=50 with 5,000 servers stored: throughput against a bare Fastify route answering
//     the same JSON, in the same run (target at least 30 %); autocannon, alternating rounds, medians compared.
// (3) One sync cycle with 5,000 VMs in a simulator: its duration and its Proxmox requests (must be 1).
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import pg from 'pg';
import { adminClient, buildProjects, pin, pinTo, taskFinished } from './bench-support.mjs';

const servers = Number(process.env.BENCH_SERVERS ?? 50);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const stored = Number(process.env.BENCH_STORED ?? 5000);
const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
// The simulator's full clone of a 20 GiB template takes ~31 s at time scale 1: 0.065 makes it ~2 s.
const timeScale = Number(process.env.BENCH_TIME_SCALE ?? 0.065);

buildProjects('api', 'testing', 'pve-sim');
const { startApiProcess, freePort, waitFor } = await import('@proxdeck/testing');
const { startPveSimulator } = await import('@proxdeck/pve-sim');

async function timedCreation(client, body) {
  const started = performance.now();
  const path = body.count ? '/api/create_servers_bulk' : '/api/servers';
  const task = await taskFinished(client, await client.post(path, body));
  const failed = task.items.filter((item) => item.status !== 'completed');
  if (failed.length > 0) throw new Error(`${failed.length} servers failed: ${failed[0].error}`);
  return (performance.now() - started) / 1000;
}

async function load(url, headers) {
  return new Promise((resolveRun, reject) => {
    autocannon({ url, connections: 20, duration: seconds, headers }, (error, run) =>
      error ? reject(error) : resolveRun(run),
    );
  });
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

// (1) and (2): one installation with the built-in simulator.
const stack = await startApiProcess({
  env: {
    LOG_LEVEL: 'error',
    PVE_SIM_PORT: '0',
    PVE_SIM_TIME_SCALE: String(timeScale),
    PVE_TASK_POLL_MS: '250',
    SERVER_CREATE_CONCURRENCY: String(concurrency),
    SCHEDULE_SERVERS_SYNC: '1h',
  },
});
let bare;
try {
  const client = await adminClient(stack);
  const spec = { cpu: 1, memory: 1024, vm_password: 'bench-password' };
  const single = await timedCreation(client, { ...spec, name: 'bench-single' });
  const bulk = await timedCreation(client, { ...spec, base_name: 'bench', count: servers });
  const ideal = single * Math.ceil(servers / concurrency);
  console.log(
    `\n(1) bulk creation, full clone ≈ 2 s (time scale ${timeScale}), SERVER_CREATE_CONCURRENCY ${concurrency}`,
  );
  console.log(`    one server: ${single.toFixed(1)} s; ${servers} servers: ${bulk.toFixed(1)} s`);
  console.log(
    `    ideal ${single.toFixed(1)} s × ⌈${servers}/${concurrency}⌉ = ${ideal.toFixed(1)} s → ×${(bulk / ideal).toFixed(2)} (target ≤ 1.5)`,
  );

  // (2) 5,000 stored servers, then a page of 50.
  const db = new pg.Client({ connectionString: stack.database.url });
  await db.connect();
  await db.query(
    `INSERT INTO servers (name, vmid, node, status, cpu_cores, memory_mb, disks, networks, ip_addresses, os_type, tags, live)
     SELECT 'load-' || lpad(n::text, 5, '0'), 100000 + n, 'pve' || (1 + n % 3), CASE WHEN n % 4 = 0 THEN 'stopped' ELSE 'running' END,
            2, 2048, '[{"device":"scsi0","datastore":"local-lvm","size_gb":20}]',
            json_build_array(json_build_object('device','net0','bridge','vmbr1','ip_address','10.20.' || (n / 250) || '.' || (n % 250 + 1),'prefix',16,'gateway','10.20.0.1','mac',null))::jsonb,
            ARRAY['10.20.' || (n / 250) || '.' || (n % 250 + 1)], 'rocky', ARRAY['proxdeck'],
            '{"cpu_usage":0.12,"mem_bytes":1073741824,"maxmem_bytes":2147483648,"disk_bytes":0,"uptime_s":3600,"netin_bytes":1,"netout_bytes":2,"lock":null}'
     FROM generate_series(1, $1) AS n`,
    [stored - servers - 1],
  );
  await db.query('ANALYZE servers');
  await db.end();
  const url = `${stack.baseUrl}/api/servers?per_page=50&page=7`;
  const sample = await (await fetch(url, { headers: { cookie: client.cookie } })).text();
  if (!sample.includes('"total":' + String(stored)))
    throw new Error(`expected ${stored} servers: ${sample.slice(-200)}`);
  const port = await freePort();
  bare = spawn(
    process.execPath,
    [
      '-e',
      `const app = require('fastify')({ logger: false }); const body = ${JSON.stringify(sample)};
       app.get('/api/servers', async (request, reply) => reply.type('application/json; charset=utf-8').send(body));
       app.listen({ port: ${port}, host: '127.0.0.1' });`,
    ],
    { stdio: 'inherit' },
  );
  const bareUrl = `http://127.0.0.1:${port}/api/servers?per_page=50&page=7`;
  await waitFor(async () => ((await fetch(bareUrl)).ok ? true : undefined), {
    timeoutMs: 10_000,
    what: 'bare Fastify',
  });
  if (pin) {
    pinTo(stack.api.child.pid, 0);
    pinTo(bare.pid, 0);
    pinTo(process.pid, 1);
  }
  await load(bareUrl, {});
  await load(url, { cookie: client.cookie });
  const bareRuns = [];
  const apiRuns = [];
  for (let round = 0; round < rounds; round += 1) {
    bareRuns.push(await load(bareUrl, {}));
    apiRuns.push(await load(url, { cookie: client.cookie }));
  }
  const bareRps = median(bareRuns.map((run) => run.requests.average));
  const apiRps = median(apiRuns.map((run) => run.requests.average));
  const failures = apiRuns.reduce((sum, run) => sum + run.non2xx + run.errors, 0);
  console.log(
    `\n(2) GET /api/servers, page of 50 of ${stored} stored (${(sample.length / 1024).toFixed(0)} KiB), medians of ${rounds} rounds`,
  );
  console.log(
    `    bare Fastify ${bareRps.toFixed(0)} req/s; Proxdeck ${apiRps.toFixed(0)} req/s, p99 ${median(apiRuns.map((run) => run.latency.p99))} ms`,
  );
  console.log(
    `    → ${((apiRps / bareRps) * 100).toFixed(1)} % of bare Fastify (target ≥ 30 %)${failures ? `; ${failures} errors!` : ''}`,
  );
} finally {
  bare?.kill();
  await stack.stop();
}

// (3) A sync cycle against a simulator holding 5,000 VMs.
const token = { id: 'root@pam!bench', secret: `bench-${Date.now()}` };
const simulator = await startPveSimulator({
  port: 0,
  certDir: mkdtempSync(join(tmpdir(), 'proxdeck-bench-sim-')),
  timeScale: 0.01,
  rootPassword: `bench-root-${Date.now()}`,
  apiToken: token,
  scenario: 'large',
});
const model = simulator.state.vms.find((vm) => vm.vmid === 1001);
for (let vmid = 100_000; simulator.state.vms.length < 5000; vmid += 1)
  simulator.state.vms.push({
    ...structuredClone(model),
    vmid,
    config: { ...model.config, name: `more-${vmid}` },
  });
const syncStack = await startApiProcess({
  env: {
    LOG_LEVEL: 'error',
    PVE_URL: simulator.url,
    PVE_TOKEN_ID: token.id,
    PVE_TOKEN_SECRET: token.secret,
    PVE_CA_FILE: simulator.caFile ?? '',
    SCHEDULE_SERVERS_SYNC: '1h',
  },
});
try {
  const client = await adminClient(syncStack);
  const count = () => Object.values(simulator.requestCounts()).reduce((sum, n) => sum + n, 0);
  // Import them all once, so that the measured cycles compare 5,000 servers with 5,000 VMs.
  await taskFinished(client, await client.post('/api/sync_servers', { import_unmanaged: true }));
  const durations = [];
  let requests = 0;
  for (let cycle = 0; cycle < 3; cycle += 1) {
    const before = count();
    const task = await taskFinished(client, await client.post('/api/sync_servers', {}));
    requests = Math.max(requests, count() - before);
    durations.push(task.result.duration_ms);
  }
  const { data } = await client.get('/api/servers?per_page=1');
  console.log(
    `\n(3) sync with ${simulator.state.vms.length} VMs in the simulator (${syncStack ? 'servers imported first' : ''})`,
  );
  console.log(
    `    cycle duration (median of 3): ${median(durations)} ms; Proxmox requests per cycle: ${requests}`,
  );
  void data;
} finally {
  await syncStack.stop();
  await simulator.close();
}
