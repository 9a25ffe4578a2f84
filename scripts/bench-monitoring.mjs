#!/usr/bin/env node
// `npm run bench:monitoring`: one cycle of the alert checker (docs/api.md §10) with 500, then 5,000 VMs in a
// simulator, every VM imported as a server: the cycle's duration (the scheduler's own record of the run) and its
// Proxmox requests, counted by the simulator between the end of one run and the end of the next. The checker
// reads the cluster with one request per cycle whatever the number of servers: the count must not grow.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminClient, buildProjects, taskFinished } from './bench-support.mjs';

const sizes = (process.env.BENCH_VMS ?? '500,5000').split(',').map(Number);
const cycles = Number(process.env.BENCH_CYCLES ?? 3);

buildProjects('api', 'testing', 'pve-sim');
const { startApiProcess, waitFor } = await import('@proxdeck/testing');
const { startPveSimulator } = await import('@proxdeck/pve-sim');

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const token = { id: 'root@pam!bench', secret: `bench-${Date.now()}` };
const simulator = await startPveSimulator({
  port: 0,
  certDir: mkdtempSync(join(tmpdir(), 'proxdeck-bench-sim-')),
  timeScale: 0.01,
  rootPassword: `bench-root-${Date.now()}`,
  apiToken: token,
  scenario: 'large',
});
const model =
  simulator.state.vms.find((vm) => vm.vmid === 1000 && vm.running) ??
  simulator.state.vms.find((vm) => vm.running);
/** Exactly `n` VMs in the simulator (half of them running, as the large scenario has them). */
function resize(n) {
  const vms = simulator.state.vms;
  if (vms.length > n) vms.splice(n);
  for (let vmid = 100_000 + vms.length; vms.length < n; vmid += 1)
    vms.push({
      ...structuredClone(model),
      vmid,
      running: vmid % 2 === 0,
      ...(vmid % 2 === 0 ? {} : { startedAt: undefined, pid: undefined }),
      config: { ...model.config, name: `more-${vmid}` },
    });
  simulator.refreshStats();
}

const stack = await startApiProcess({
  env: {
    LOG_LEVEL: 'error',
    PVE_URL: simulator.url,
    PVE_TOKEN_ID: token.id,
    PVE_TOKEN_SECRET: token.secret,
    PVE_CA_FILE: simulator.caFile ?? '',
    SCHEDULE_SERVERS_SYNC: '1h',
    SCHEDULE_ALERTS_CHECK: '3s',
    ALERT_FOR_S: '0',
  },
});
const rows = [];
try {
  const client = await adminClient(stack);
  const total = () => Object.values(simulator.requestCounts()).reduce((sum, n) => sum + n, 0);
  const lastRun = async () => {
    const { data } = await client.get('/api/celery/status');
    const schedule = data.schedules.find((s) => s.name === 'monitoring.alerts_check');
    return schedule?.recent_runs[0];
  };
  /** The next run that ends after `after` (ISO time); the requests counted up to its end. */
  const nextRun = async (after) =>
    waitFor(
      async () => {
        const run = await lastRun();
        if (run === undefined || run.finished_at <= after) return undefined;
        return { run, count: total(), counts: simulator.requestCounts() };
      },
      { timeoutMs: 600_000, intervalMs: 20, what: 'a checker run' },
    );
  for (const size of sizes) {
    resize(size);
    // Every VM becomes a server, so that the checker compares `size` servers with `size` VMs.
    await taskFinished(client, await client.post('/api/sync_servers', { import_unmanaged: true }));
    const { data: list } = await client.get('/api/servers?per_page=1');
    let previous = await nextRun(new Date().toISOString());
    const durations = [];
    const requests = [];
    let byEndpoint = {};
    for (let i = 0; i < cycles; i += 1) {
      const next = await nextRun(previous.run.finished_at);
      if (next.run.status !== 'ok') throw new Error(`the checker run failed: ${next.run.error}`);
      durations.push(next.run.duration_ms);
      requests.push(next.count - previous.count);
      byEndpoint = Object.fromEntries(
        Object.entries(next.counts)
          .map(([key, n]) => [key, n - (previous.counts[key] ?? 0)])
          .filter(([, n]) => n > 0),
      );
      previous = next;
    }
    void list;
    rows.push({ size, duration: median(durations), requests: Math.max(...requests), byEndpoint });
    console.log(
      `${size} VMs: checker cycle ${median(durations)} ms (median of ${cycles}: ${durations.join(', ')} ms); ` +
        `Proxmox requests per cycle: ${requests.join(', ')} (${JSON.stringify(byEndpoint)})`,
    );
  }
} finally {
  await stack.stop();
  await simulator.close();
}
const first = rows[0];
const last = rows.at(-1);
if (first && last) {
  console.log(
    `\nrequests per cycle: ${first.requests} at ${first.size} VMs, ${last.requests} at ${last.size} VMs ` +
      `(${last.requests <= first.requests ? 'constant' : 'GROWS'}); duration ×${(last.duration / Math.max(1, first.duration)).toFixed(1)} for ×${last.size / first.size} VMs`,
  );
  if (last.requests > first.requests) process.exitCode = 1;
}
