/**
 * Parameter errors land in the `errors` map under the key Proxmox puts them (docs/pve-semantics.md §3):
 * `raise_param_exc({ <key> => … })` in qemu-server, VZDump.pm and pve-manager's HTTPServer.pm.
 */
import type { RunningPveSimulator } from '../src';
import { raw, startTestSim } from './helpers';

const PARAMETER_ERROR = { status: 400, statusText: 'Parameter verification failed.' };

describe('error maps as Proxmox writes them', () => {
  let sim: RunningPveSimulator;
  beforeAll(async () => {
    sim = await startTestSim();
  });
  afterAll(async () => {
    await sim.close();
  });

  it('puts a key both set and deleted under errors.delete', async () => {
    const res = await raw(sim, 'PUT', '/api2/json/nodes/pve2/qemu/101/config', {
      body: 'cores=2&delete=cores',
    });
    expect(res).toMatchObject(PARAMETER_ERROR);
    expect(res.json).toEqual({
      data: null,
      errors: { delete: "you can't use '-cores' and -delete cores' at the same time" },
      message: 'Parameter verification failed.\n',
    });
  });

  it('puts vzdump all, pool and exclude next to vmid under their own names', async () => {
    for (const [option, value] of [
      ['all', '1'],
      ['pool', 'prod'],
      ['exclude', '100'],
    ] as const) {
      const res = await raw(sim, 'POST', '/api2/json/nodes/pve1/vzdump', {
        body: `vmid=100&${option}=${value}&storage=nfs-backup`,
      });
      expect(res).toMatchObject(PARAMETER_ERROR);
      expect((res.json as { errors: unknown }).errors).toEqual({
        [option]: "option conflicts with option 'vmid'",
      });
    }
  });

  it('puts a path parameter contradicted by the query or the body under that parameter', async () => {
    const fromBody = await raw(sim, 'PUT', '/api2/json/nodes/pve2/qemu/101/config', {
      body: 'vmid=999&cores=2',
    });
    const fromQuery = await raw(sim, 'GET', '/api2/json/nodes/pve2/qemu/101/config?node=pve3');
    for (const [res, name] of [
      [fromBody, 'vmid'],
      [fromQuery, 'node'],
    ] as const) {
      expect(res).toMatchObject(PARAMETER_ERROR);
      expect(res.json).toEqual({
        data: null,
        errors: { [name]: 'duplicate parameter (already defined in URI) with conflicting values!' },
        message: 'Parameter verification failed.\n',
      });
    }
    const agreeing = await raw(sim, 'GET', '/api2/json/nodes/pve2/qemu/101/config?vmid=101');
    expect(agreeing.status).toBe(200);
  });
});
