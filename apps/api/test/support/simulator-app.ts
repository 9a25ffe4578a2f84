import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startPveSimulator, type RunningPveSimulator } from '@proxdeck/pve-sim';
import { createTestApp, type TestApp } from './test-app';

/**
 * A simulator of the test's own (its state, faults and request counts in reach) and the whole API connected to
 * it as to a real cluster (PVE_URL and a root API token), sync on a long schedule so that tests run it.
 */
export async function startSimulatorApp(
  timeScale: number,
  env: Record<string, string> = {},
): Promise<{ simulator: RunningPveSimulator; t: TestApp }> {
  const token = { id: 'root@pam!it', secret: `it-${randomBytes(6).toString('hex')}` };
  const simulator = await startPveSimulator({
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
    SCHEDULE_SERVERS_SYNC: '1h',
    ...env,
  });
  return { simulator, t };
}
