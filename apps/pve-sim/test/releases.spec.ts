/**
 * PVE_SIM_VERSION / `release`: the simulator speaks 9.2 by default and 8.3 on request, with that release's
 * schema, version, privileges (docs/pve-semantics.md §9: VM.Monitor became VM.GuestAgent.*) and fields.
 */
import type { RunningPveSimulator } from '../src';
import { raw, startTestSim } from './helpers';

describe('simulated Proxmox VE releases', () => {
  let pve8: RunningPveSimulator;
  let pve9: RunningPveSimulator;
  const viewer = { headers: { authorization: 'PVEAPIToken=viewer@pve!ro=ro-secret' } };
  const access = {
    users: [
      { userid: 'viewer@pve', password: 'viewer-pass', acl: [{ path: '/vms', roles: ['PVEAuditor'] }] },
    ],
    tokens: [{ id: 'viewer@pve!ro', secret: 'ro-secret', privsep: 0 as const }],
  };
  beforeAll(async () => {
    [pve8, pve9] = await Promise.all([startTestSim({ release: '8.3', ...access }), startTestSim(access)]);
  });
  afterAll(async () => {
    await Promise.all([pve8.close(), pve9.close()]);
  });

  it('answers its version', async () => {
    expect((await raw(pve8, 'GET', '/api2/json/version')).json).toMatchObject({
      data: { version: '8.3.5', release: '8.3' },
    });
    expect((await raw(pve9, 'GET', '/api2/json/version')).json).toMatchObject({
      data: { version: '9.2.11', release: '9.2' },
    });
  });

  it('knows VM.Monitor on 8.3 and the guest-agent privileges on 9.2 only', async () => {
    const create = (sim: RunningPveSimulator, priv: string) =>
      raw(sim, 'POST', '/api2/json/access/roles', {
        body: `roleid=R${priv.replace(/\./g, '')}&privs=${priv}`,
      });
    expect((await create(pve8, 'VM.Monitor')).status).toBe(200);
    expect((await create(pve8, 'VM.GuestAgent.Audit')).statusText).toBe(
      "invalid privilege 'VM.GuestAgent.Audit'",
    );
    expect((await create(pve9, 'VM.Monitor')).statusText).toBe("invalid privilege 'VM.Monitor'");
    const vmAdmin8 = (await raw(pve8, 'GET', '/api2/json/access/roles/PVEVMAdmin')).json as { data: object };
    expect(Object.keys(vmAdmin8.data)).toContain('VM.Monitor');
  });

  it("checks the guest agent with that release's privilege", async () => {
    const on8 = await raw(pve8, 'GET', '/api2/json/nodes/pve1/qemu/100/agent/network-get-interfaces', viewer);
    expect(on8.statusText).toBe('Permission check failed (/vms/100, VM.Monitor)');
    const on9 = await raw(pve9, 'GET', '/api2/json/nodes/pve1/qemu/100/agent/network-get-interfaces', viewer);
    expect(on9.statusText).toBe(
      'Permission check failed (/vms/100, VM.GuestAgent.Audit|VM.GuestAgent.Unrestricted)',
    );
  });

  it('leaves out the fields PVE 9 added (memhost, host-arch)', async () => {
    type Rows = { data: Record<string, unknown>[] };
    const rows8 = ((await raw(pve8, 'GET', '/api2/json/cluster/resources')).json as Rows).data;
    const rows9 = ((await raw(pve9, 'GET', '/api2/json/cluster/resources')).json as Rows).data;
    expect(rows8.some((r) => 'memhost' in r || 'host-arch' in r)).toBe(false);
    expect(rows9.find((r) => r.id === 'qemu/100')).toHaveProperty('memhost');
    expect(rows9.find((r) => r.type === 'node')).toHaveProperty(['host-arch'], 'x86_64');
  });

  it("keeps RRD data at the release's resolution: PVE 8's 70 points of 30 min a day, no PVE 9 fields", async () => {
    type Points = { data: Record<string, number>[] };
    const day8 = (
      (await raw(pve8, 'GET', '/api2/json/nodes/pve1/qemu/100/rrddata?timeframe=day')).json as Points
    ).data;
    const day9 = (
      (await raw(pve9, 'GET', '/api2/json/nodes/pve1/qemu/100/rrddata?timeframe=day')).json as Points
    ).data;
    expect([day8.length, (day8[1]?.time ?? 0) - (day8[0]?.time ?? 0)]).toEqual([70, 1800]);
    expect([day9.length, (day9[1]?.time ?? 0) - (day9[0]?.time ?? 0)]).toEqual([1440, 60]);
    expect(day8.at(-1)).not.toHaveProperty('memhost');
    expect(day9.at(-1)).toHaveProperty('memhost');
    const decade8 = await raw(pve8, 'GET', '/api2/json/nodes/pve1/rrddata?timeframe=decade');
    expect(decade8.json).toMatchObject({
      errors: {
        timeframe: expect.stringContaining(
          "value 'decade' does not have a value in the enumeration",
        ) as string,
      },
    });
  });

  it('refuses a release it does not simulate', async () => {
    await expect(startTestSim({ release: '7.4' as '8.3' })).rejects.toThrow(
      /release must be one of 9\.2, 8\.3/,
    );
  });
});
