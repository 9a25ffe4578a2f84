import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startPveSimulator,
  type PveSimulatorOptions,
  type RunningPveSimulator,
  type SimVm,
} from '@proxdeck/pve-sim';
import { DataSource } from 'typeorm';
import { seedSimulatorIpPool } from '../../src/modules/ip-pools';
import { acceptedTaskId, taskFinished } from './tasks';
import { createTestApp, type Caller, type TestApp } from './test-app';

/**
 * A cron expression no test run reaches (midnight on the first of January): an interval such as `1h` fires at
 * every full hour, inside a test that crosses one.
 */
export const NEVER_IN_A_TEST = '0 0 1 1 *';

/**
 * A simulator of the test's own (its state, faults and request counts in reach) and the whole API connected to
 * it as to a real cluster (PVE_URL and a root API token). The scheduled jobs that talk to Proxmox (the sync,
 * the alert check, the SSH port probe) never fire by themselves, so that tests run them and Proxmox request
 * counts are exactly those of the test; `env` may schedule them.
 */
export async function startSimulatorApp(
  timeScale: number,
  env: Record<string, string> = {},
  simulatorOptions: Partial<PveSimulatorOptions> = {},
): Promise<{ simulator: RunningPveSimulator; t: TestApp }> {
  const token = { id: 'root@pam!it', secret: `it-${randomBytes(6).toString('hex')}` };
  const simulator = await startPveSimulator({
    ...simulatorOptions,
    port: 0,
    certDir: mkdtempSync(join(tmpdir(), 'proxdeck-it-sim-')),
    timeScale,
    rootPassword: randomBytes(12).toString('hex'),
    apiToken: token,
  });
  const t = await createTestApp({
    PVE_URL: simulator.url,
    PVE_TOKEN_ID: token.id,
    PVE_TOKEN_SECRET: token.secret,
    PVE_CA_FILE: simulator.caFile ?? '',
    SCHEDULE_SERVERS_SYNC: NEVER_IN_A_TEST,
    SCHEDULE_ALERTS_CHECK: NEVER_IN_A_TEST,
    SCHEDULE_TCP_PROBE: NEVER_IN_A_TEST,
    ...env,
  });
  return { simulator, t };
}

/**
 * A simulator, the API on it with its workers, the simulator's IP pool, and `count` servers created through the
 * API (`<baseName>-01`…) in a VMID range of the test file's own: the start of the files that act on servers.
 */
export async function startSimulatorFleet(options: {
  baseName: string;
  count: number;
  vmidRange: string;
  env?: Record<string, string>;
  simulator?: Partial<PveSimulatorOptions>;
}): Promise<{ simulator: RunningPveSimulator; t: TestApp; admin: Caller }> {
  const { simulator, t } = await startSimulatorApp(
    0.02,
    {
      RUN_WORKERS: 'true',
      WORKER_CONCURRENCY: '4',
      PVE_TASK_POLL_MS: '100',
      PVE_LOCK_RETRIES: '1',
      PVE_LOCK_RETRY_DELAY_MS: '50',
      TASK_CONCURRENCY_PER_STORAGE: '8',
      SERVER_READY_TIMEOUT_S: '60',
      VMID_RANGE: options.vmidRange,
      ...options.env,
    },
    options.simulator,
  );
  await seedSimulatorIpPool(t.app.get(DataSource));
  const admin = await t.admin();
  const created = await taskFinished<{ status: string; error: string | null }>(
    admin,
    acceptedTaskId(
      await admin.request('POST', '/api/create_servers_bulk', {
        body: {
          base_name: options.baseName,
          count: options.count,
          cpu: 1,
          memory: 1024,
          vm_password: 'a-long-password',
        },
      }),
    ),
    180_000,
  );
  if (created.status !== 'completed')
    throw new Error(`the fleet ${options.baseName} was not created: ${JSON.stringify(created)}`);
  return { simulator, t, admin };
}

/** The simulator's VM of that name (a server's name is its VM's name). */
export function simulatorVm(simulator: RunningPveSimulator, name: string): SimVm {
  const vm = simulator.state.vms.find((candidate) => candidate.config.name === name);
  if (!vm) throw new Error(`no VM named ${name} in the simulator`);
  return vm;
}
