/** Read endpoints clients commonly call on their way: datacenter options, node version, VM index, agent info, LXC. */
import type { RunningPveSimulator } from '../src';
import { raw, startTestSim } from './helpers';

describe('read endpoints clients call on their way', () => {
  let sim: RunningPveSimulator;
  beforeAll(async () => {
    sim = await startTestSim({
      users: [
        { userid: 'viewer@pve', password: 'viewer-pass', acl: [{ path: '/vms', roles: ['PVEAuditor'] }] },
      ],
      tokens: [{ id: 'viewer@pve!ro', secret: 'ro-secret', privsep: 0 }],
    });
  });
  afterAll(async () => {
    await sim.close();
  });
  const asViewer = { headers: { authorization: 'PVEAPIToken=viewer@pve!ro=ro-secret' } };

  it('answers /cluster/options from datacenter.cfg, whose next-id range /cluster/nextid follows', async () => {
    expect((await raw(sim, 'GET', '/api2/json/cluster/options')).json).toEqual({
      data: { keyboard: 'en-us', 'allowed-tags': ['template'] },
    });
    sim.state.datacenter = {
      keyboard: 'de',
      console: 'xtermjs',
      'next-id': { lower: '5000', upper: '6000' },
    };
    expect((await raw(sim, 'GET', '/api2/json/cluster/options')).json).toEqual({
      data: {
        keyboard: 'de',
        console: 'xtermjs',
        'next-id': { lower: '5000', upper: '6000' },
        'allowed-tags': ['template'],
      },
    });
    expect((await raw(sim, 'GET', '/api2/json/cluster/nextid')).json).toEqual({ data: 5000 });
    // Without Sys.Audit on /: only console and tag-style, and the tags of the guests the caller may audit.
    expect((await raw(sim, 'GET', '/api2/json/cluster/options', asViewer)).json).toEqual({
      data: { console: 'xtermjs', 'allowed-tags': ['template'] },
    });
    delete sim.state.datacenter;
  });

  it("answers a node's version to any user, and 500 for an unknown node", async () => {
    expect((await raw(sim, 'GET', '/api2/json/nodes/pve3/version', asViewer)).json).toEqual({
      data: { version: '9.2.11', release: '9.2', repoid: expect.any(String) as string },
    });
    expect((await raw(sim, 'GET', '/api2/json/nodes/pve9/version')).status).toBe(500);
  });

  it('lists a VM index and an empty container list', async () => {
    const index = (await raw(sim, 'GET', '/api2/json/nodes/pve1/qemu/100')).json as {
      data: { subdir: string }[];
    };
    expect(index.data[0]).toEqual({ subdir: 'config' });
    expect((await raw(sim, 'GET', '/api2/json/nodes/pve1/lxc')).json).toEqual({ data: [] });
  });

  it('answers agent/info for a running VM with an agent, needing VM.GuestAgent.Audit', async () => {
    const info = (await raw(sim, 'GET', '/api2/json/nodes/pve1/qemu/100/agent/info')).json as {
      data: { result: { version: string; supported_commands: { name: string }[] } };
    };
    expect(info.data.result.supported_commands.map((c) => c.name)).toContain('guest-info');
    const stopped = await raw(sim, 'GET', '/api2/json/nodes/pve2/qemu/101/agent/info');
    expect([stopped.status, stopped.statusText]).toEqual([500, 'VM 101 is not running']);
    const denied = await raw(sim, 'GET', '/api2/json/nodes/pve1/qemu/100/agent/info', asViewer);
    expect([denied.status, denied.statusText]).toEqual([
      403,
      'Permission check failed (/vms/100, VM.GuestAgent.Audit|VM.GuestAgent.Unrestricted)',
    ]);
  });

  it('answers get-fsinfo with the guest’s filesystems and their use, as QEMU’s agent does', async () => {
    type Fs = { name: string; mountpoint: string; type: string; 'total-bytes': number; 'used-bytes': number };
    const read = async () =>
      (
        (await raw(sim, 'GET', '/api2/json/nodes/pve1/qemu/100/agent/get-fsinfo')).json as {
          data: { result: Fs[] };
        }
      ).data.result;
    const filesystems = await read();
    expect(filesystems.map((fs) => [fs.mountpoint, fs.type])).toEqual([
      ['/', 'ext4'],
      ['/boot/efi', 'vfat'],
    ]);
    const root = filesystems[0]!;
    expect(root['total-bytes']).toBeGreaterThan(1024 ** 3);
    const share = root['used-bytes'] / root['total-bytes'];
    expect(share).toBeGreaterThanOrEqual(0.2);
    expect(share).toBeLessThanOrEqual(0.5);
    // The same figure again (steady, from the seed), until a test fills the disk.
    expect((await read())[0]?.['used-bytes']).toBe(root['used-bytes']);
    const vm = sim.state.vms.find((v) => v.vmid === 100);
    if (!vm) throw new Error('no VM 100');
    vm.guestRootUsed = 0.97;
    const full = (await read())[0]!;
    expect(full['used-bytes'] / full['total-bytes']).toBeCloseTo(0.97, 5);
    delete vm.guestRootUsed;

    const stopped = await raw(sim, 'GET', '/api2/json/nodes/pve2/qemu/101/agent/get-fsinfo');
    expect([stopped.status, stopped.statusText]).toEqual([500, 'VM 101 is not running']);
    const denied = await raw(sim, 'GET', '/api2/json/nodes/pve1/qemu/100/agent/get-fsinfo', asViewer);
    expect([denied.status, denied.statusText]).toEqual([
      403,
      'Permission check failed (/vms/100, VM.GuestAgent.Audit|VM.GuestAgent.Unrestricted)',
    ]);
  });

  it('puts a guest under the CPU load a test sets: its status at once, /cluster/resources at the next broadcast', async () => {
    const vm = sim.state.vms.find((v) => v.vmid === 100);
    if (!vm) throw new Error('no VM 100');
    vm.cpuLoad = 0.97;
    const status = (await raw(sim, 'GET', '/api2/json/nodes/pve1/qemu/100/status/current')).json as {
      data: { cpu: number };
    };
    expect(status.data.cpu).toBe(0.97);
    sim.refreshStats();
    const resources = (await raw(sim, 'GET', '/api2/json/cluster/resources?type=vm')).json as {
      data: { vmid: number; cpu: number }[];
    };
    expect(resources.data.find((r) => r.vmid === 100)?.cpu).toBe(0.97);
    delete vm.cpuLoad;
    const after = (await raw(sim, 'GET', '/api2/json/nodes/pve1/qemu/100/status/current')).json as {
      data: { cpu: number };
    };
    expect(after.data.cpu).toBeLessThanOrEqual(0.62);
  });
});
