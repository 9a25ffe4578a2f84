import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PveClient, type PveVmResource } from '@proxdeck/pve-client';
import { startApiProcess, waitFor, type ApiStack } from '@proxdeck/testing';
import { sessionClient, type SessionClient } from './session-client';

/**
 * A bulk creation whose worker process is killed in the middle, then started again: the task ends with exactly
 * the servers asked for — no second clone of any, no address or VMID taken twice or left behind.
 */
describe('server creation across a worker crash', () => {
  let stack: ApiStack;
  let client: SessionClient;
  let pve: PveClient;

  beforeAll(async () => {
    stack = await startApiProcess({
      env: {
        RUN_WORKERS: 'false',
        QUEUE_LOCK_DURATION_MS: '1000',
        QUEUE_STALLED_INTERVAL_MS: '300',
        PVE_TASK_POLL_MS: '100',
        PVE_SIM_TIME_SCALE: '0.05',
        SERVER_CREATE_CONCURRENCY: '4',
        SCHEDULE_SERVERS_SYNC: '1h',
      },
    });
    client = sessionClient(stack.baseUrl);
    await client.login(stack.adminUsername, stack.adminPassword);
    const connection = JSON.parse(
      readFileSync(join(stack.env.DATA_DIR ?? '', 'pve-sim', 'connection.json'), 'utf8'),
    ) as { url: string; caFile: string | null; tokenId: string; tokenSecret: string };
    pve = new PveClient({
      baseUrl: connection.url,
      auth: { type: 'token', tokenId: connection.tokenId, secret: connection.tokenSecret },
      ...(connection.caFile ? { caFile: connection.caFile } : {}),
    });
  }, 120_000);
  afterAll(async () => {
    await pve.close();
    await stack.stop();
  });

  async function task(taskId: string) {
    const { data } = await client.api.GET('/api/tasks/{task_id}/status', {
      params: { path: { task_id: taskId } },
    });
    if (!data) throw new Error(`task ${taskId} not readable`);
    return data.data;
  }

  it('ends with exactly the requested VMs after the worker is killed mid-way', async () => {
    const first = await stack.startWorker();
    const { data, error } = await client.api.POST('/api/create_servers_bulk', {
      body: { base_name: 'crash', count: 12, cpu: 1, memory: 1024, vm_password: 'a-long-password' },
    });
    if (!data) throw new Error(`bulk creation refused: ${JSON.stringify(error)}`);
    const taskId = data.data.task_id;

    // Killed while some servers are done and others are in the middle of their steps.
    await waitFor(
      async () => {
        const current = await task(taskId);
        const done = current.items.filter((item) => item.status === 'completed').length;
        const busy = current.items.filter((item) => item.status === 'running' && item.steps_done.length > 0);
        return done >= 2 && busy.length >= 1 ? current : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 50, what: 'some servers done and others mid-way' },
    );
    await first.kill();
    const second = await stack.startWorker();
    const ended = await waitFor(
      async () => {
        const current = await task(taskId);
        return ['completed', 'failed', 'partial'].includes(current.status) ? current : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 200, what: 'the creation to end on the second worker' },
    );
    expect(ended.items.filter((item) => item.status !== 'completed')).toEqual([]);
    expect(ended.status).toBe('completed');
    expect(ended.attempts).toBeGreaterThanOrEqual(2);

    const names = Array.from({ length: 12 }, (_, index) => `crash-${String(index + 1).padStart(2, '0')}`);
    // One VM per server, counted by config: the stats cache may not name a fresh clone yet.
    const qemu = (await pve.clusterResources('vm')).filter((vm) => vm.type === 'qemu') as PveVmResource[];
    const configs = await Promise.all(
      qemu
        .filter((vm) => vm.template !== 1 && vm.vmid >= 10_000)
        .map(async (vm) => ({ vmid: vm.vmid, config: await pve.vmConfig(vm.node, vm.vmid) })),
    );
    expect(configs.map((entry) => entry.config.name).sort()).toEqual(names);
    const addresses = configs.map((entry) => /ip=([\d.]+)\//.exec(String(entry.config.ipconfig0))?.[1]);
    expect(new Set(addresses).size).toBe(12);

    // The inventory holds the same VMIDs and addresses, and the pool no address more.
    const { data: servers } = await client.api.GET('/api/servers', {
      params: { query: { q: 'crash-', per_page: 50 } },
    });
    expect(servers?.data.map((server) => server.vmid).sort()).toEqual(
      configs.map((entry) => entry.vmid).sort(),
    );
    expect(servers?.data.flatMap((server) => server.ip_addresses).sort()).toEqual([...addresses].sort());
    const { data: pools } = await client.api.GET('/api/ip_pools');
    expect(pools?.data.reduce((sum, pool) => sum + pool.allocated, 0)).toBe(12);
    await second.stop();
  }, 300_000);
});
