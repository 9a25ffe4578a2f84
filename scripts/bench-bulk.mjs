#!/usr/bin/env node
// `npm run bench:bulk`: a bulk stop, then a bulk start, of BENCH_SERVERS (100) servers against a simulator of
// the script's own (so that its requests are counted), with the API and its in-process workers.
// - wall time against the ideal for the configured concurrency: one server's action time × ⌈N / c⌉, where c is
//   what may run at once: SERVER_ACTION_CONCURRENCY, capped by the governor (nodes × TASK_CONCURRENCY_PER_NODE)
//   (target within 1.5×);
// - Proxmox requests per server for each action.
// The VMs are made in the simulator and imported by a sync: the benchmark measures the actions, not creation.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { adminClient, buildProjects, taskFinished } from './bench-support.mjs';

const servers = Number(process.env.BENCH_SERVERS ?? 100);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 16);
const perNode = Number(process.env.BENCH_PER_NODE ?? 4);
// The simulator's guest shutdown takes 4 s and a start 2 s at time scale 1: 0.25 makes them 1 s and 0.5 s.
const timeScale = Number(process.env.BENCH_TIME_SCALE ?? 0.25);

buildProjects('api', 'testing', 'pve-sim');
const { startApiProcess } = await import('@proxdeck/testing');
const { startPveSimulator } = await import('@proxdeck/pve-sim');

const token = { id: 'root@pam!bench', secret: `bench-${Date.now()}` };
const simulator = await startPveSimulator({
  port: 0,
  certDir: mkdtempSync(join(tmpdir(), 'proxdeck-bench-sim-')),
  timeScale,
  rootPassword: `bench-root-${Date.now()}`,
  apiToken: token,
});
const nodes = simulator.state.nodes.filter((node) => node.status !== 'offline').map((node) => node.name);
const model = simulator.state.vms.find((vm) => vm.vmid === 100); // a running guest with the agent
for (let index = 0; index < servers; index += 1) {
  const vmid = 20_000 + index;
  simulator.state.vms.push({
    ...structuredClone(model),
    vmid,
    node: nodes[index % nodes.length],
    config: {
      ...structuredClone(model.config),
      name: `bulk-${String(index).padStart(3, '0')}`,
      tags: 'bench',
    },
    running: true,
    paused: false,
    agentReadyAt: 0,
  });
}
simulator.refreshStats();

const stack = await startApiProcess({
  env: {
    LOG_LEVEL: 'error',
    PVE_URL: simulator.url,
    PVE_TOKEN_ID: token.id,
    PVE_TOKEN_SECRET: token.secret,
    PVE_CA_FILE: simulator.caFile ?? '',
    PVE_TASK_POLL_MS: '100',
    SCHEDULE_SERVERS_SYNC: '1h',
    SERVER_ACTION_CONCURRENCY: String(concurrency),
    TASK_CONCURRENCY_PER_NODE: String(perNode),
  },
});

const requests = () => Object.values(simulator.requestCounts()).reduce((sum, n) => sum + n, 0);

/** Runs `action` on `names` as one task: its wall time (request to the task's end) and Proxmox requests. */
async function timed(client, action, names) {
  const before = requests();
  const started = performance.now();
  const task = await taskFinished(
    client,
    await client.post('/api/servers/bulk_action/async', { action, server_names: names }),
    50,
  );
  const seconds = (performance.now() - started) / 1000;
  const failed = task.items.filter((item) => item.status !== 'completed');
  if (failed.length > 0) throw new Error(`${failed.length} ${action}s failed: ${failed[0].error}`);
  return { seconds, requests: requests() - before };
}

try {
  const client = await adminClient(stack);
  const sync = await taskFinished(client, await client.post('/api/sync_servers', { import_unmanaged: true }));
  if (sync.status !== 'completed') throw new Error(`the import failed: ${sync.error}`);
  const names = Array.from({ length: servers }, (_, index) => `bulk-${String(index).padStart(3, '0')}`);
  const parallel = Math.min(concurrency, nodes.length * perNode);
  console.log(
    `\nbulk actions on ${servers} servers, ${nodes.length} nodes, time scale ${timeScale}; SERVER_ACTION_CONCURRENCY ${concurrency}, TASK_CONCURRENCY_PER_NODE ${perNode} → ${parallel} at once`,
  );
  // Every VM runs: stop one alone (the ideal's unit), then the others in bulk; then the same for start.
  const [first, ...rest] = names;
  for (const action of ['stop', 'start']) {
    const single = await timed(client, action, [first]);
    simulator.resetTaskPeaks();
    const bulk = await timed(client, action, rest);
    if (process.env.BENCH_DEBUG) console.log(JSON.stringify(simulator.taskConcurrency()));
    const ideal = single.seconds * Math.ceil(rest.length / parallel);
    console.log(
      `  ${action}: one server ${single.seconds.toFixed(2)} s; ${rest.length} servers ${bulk.seconds.toFixed(2)} s; ideal ${single.seconds.toFixed(2)} × ⌈${rest.length}/${parallel}⌉ = ${ideal.toFixed(2)} s → ×${(bulk.seconds / ideal).toFixed(2)} (target ≤ 1.5); Proxmox requests per server ${(bulk.requests / rest.length).toFixed(1)}`,
    );
  }
} finally {
  await stack.stop();
  await simulator.close();
}
