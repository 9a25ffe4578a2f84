import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leastPrivilegeRoles } from '@proxdeck/pve-client';
import { accessForRoles, startPveSimulator, type RunningPveSimulator } from '@proxdeck/pve-sim';
import { createTestApp, type TestApp } from '../support/test-app';

interface Readiness {
  data: {
    status: string;
    checks: { proxmox: { status: string; missing_privileges?: string[]; error?: string } };
  };
}

/**
 * Readiness checks the configured Proxmox token against the privileges Proxdeck needs (README, "Least privilege
 * on Proxmox") and names each one it lacks; here a cluster whose token was granted everything but VM.PowerMgmt.
 */
describe("readiness and the Proxmox token's privileges", () => {
  let simulator: RunningPveSimulator;
  let t: TestApp;
  const token = { id: 'proxdeck@pve!ci', secret: randomBytes(12).toString('hex') };

  beforeAll(async () => {
    const roles = leastPrivilegeRoles('9.2').map((role) =>
      role.roleid === 'ProxdeckVM'
        ? { ...role, privs: role.privs.filter((p) => p !== 'VM.PowerMgmt') }
        : role,
    );
    simulator = await startPveSimulator({
      port: 0,
      protocol: 'https',
      certDir: mkdtempSync(join(tmpdir(), 'proxdeck-it-sim-')),
      timeScale: 0.01,
      rootPassword: randomBytes(12).toString('hex'),
      ...accessForRoles(roles, { userid: 'proxdeck@pve', password: randomBytes(12).toString('hex') }, token),
    });
    t = await createTestApp({
      RUN_WORKERS: 'false',
      PVE_URL: simulator.url,
      PVE_TOKEN_ID: token.id,
      PVE_TOKEN_SECRET: token.secret,
      PVE_CA_FILE: simulator.caFile ?? '',
    });
  });
  afterAll(async () => {
    await t.close();
    await simulator.close();
  });

  it('is degraded and names the privilege the token lacks', async () => {
    const ready = await t.request('GET', '/api/health/ready');
    expect(ready.status).toBe(200);
    const { data } = ready.json<Readiness>();
    expect(data.status).toBe('degraded');
    expect(data.checks.proxmox).toMatchObject({
      status: 'up',
      missing_privileges: ['VM.PowerMgmt on /vms'],
      error: 'the Proxmox credentials lack VM.PowerMgmt on /vms',
    });
  });
});
