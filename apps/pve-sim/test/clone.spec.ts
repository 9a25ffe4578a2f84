/** Clone behaviour (docs/pve-semantics.md §7.8): the synchronous early checks and what the new VM looks like. */
import type { PveClient } from '@proxdeck/pve-client';
import type { RunningPveSimulator } from '../src';
import { startTestSim, tokenClient } from './helpers';

describe('clone', () => {
  let sim: RunningPveSimulator;
  let client: PveClient;
  beforeAll(async () => {
    sim = await startTestSim();
    client = tokenClient(sim);
  });
  afterAll(async () => {
    await client.close();
    await sim.close();
  });

  it.each([
    [
      'an unknown pool',
      () => client.cloneVm('pve2', 9000, { newid: 700, pool: 'nope' }),
      403,
      "Permission check failed (pool 'nope' does not exist)",
    ],
    [
      'an unknown target node',
      () => client.cloneVm('pve2', 9000, { newid: 700, target: 'pve9' }),
      500,
      "no such cluster node 'pve9'",
    ],
    [
      'a newid that exists on the node',
      () => client.cloneVm('pve2', 9000, { newid: 101 }),
      500,
      'unable to create VM 101: config file already exists',
    ],
    [
      'storage on a linked clone',
      () => client.cloneVm('pve2', 9000, { newid: 700, storage: 'ssd-pool' }),
      500,
      "parameter 'storage' not allowed for linked clones",
    ],
    [
      'a local target storage on another node',
      () => client.cloneVm('pve2', 9000, { newid: 700, full: true, target: 'pve3', storage: 'local-lvm' }),
      500,
      "can't clone to non-shared storage 'local-lvm'",
    ],
    [
      'a VM on local storage to another node',
      () => client.cloneVm('pve2', 101, { newid: 700, target: 'pve1' }),
      500,
      "can't clone VM to node 'pve1' (VM uses local storage)",
    ],
  ])('fails synchronously for %s', async (_label, call, status, message) => {
    await expect(call()).rejects.toMatchObject({ status, message });
    expect(sim.state.vms.some((v) => v.vmid === 700)).toBe(false);
  });

  it('fails inside the task when newid exists on another node', async () => {
    const result = await client.waitForTask(await client.cloneVm('pve2', 9000, { newid: 100, full: true }), {
      timeoutMs: 5000,
    });
    expect(result.exitstatus).toBe('clone failed: unable to create VM 100: config file already exists');
  });

  it('makes a fresh VM: default name, new MACs and SMBIOS uuid, no template flag, its own cloud-init drive', async () => {
    const source = await client.vmConfig('pve2', 9000);
    await client.waitForTask(await client.cloneVm('pve2', 9000, { newid: 701, full: true, target: 'pve1' }), {
      timeoutMs: 5000,
    });
    const clone = await client.vmConfig('pve1', 701);
    expect(clone.name).toBe('Copy-of-VM-ubuntu2404-cloud');
    expect(clone.template).toBeUndefined();
    expect(clone.net0).not.toBe(source.net0);
    expect(String(clone.net0).replace(/=[0-9A-F:]{17}/, '')).toBe(
      String(source.net0).replace(/=[0-9A-F:]{17}/, ''),
    );
    expect(clone.smbios1).not.toBe(source.smbios1);
    expect(clone.ide2).toBe('ssd-pool:vm-701-cloudinit,media=cdrom');
    expect(clone.scsi0).toBe('ssd-pool:vm-701-disk-0,iothread=1,size=20G');
    const rrd = await client.vmRrdData('pve1', 701, { timeframe: 'hour' });
    expect(Object.keys(rrd[0]!)).toEqual(['time']); // no RRD data before the VM existed
    expect(rrd.at(-1)).toMatchObject({ cpu: 0, maxmem: 2048 * 1024 * 1024 });
    const log = await client.taskLog(sim.state.tasks.filter((t) => t.type === 'qmclone').at(-1)!.upid, {
      limit: 0,
    });
    expect(log.lines.map((l) => l.t)).toContain(
      'create full clone of drive scsi0 (ssd-pool:base-9000-disk-0)',
    );
  });

  it('makes a linked clone of a template by default', async () => {
    await client.waitForTask(await client.cloneVm('pve3', 9001, { newid: 702 }), { timeoutMs: 5000 });
    expect((await client.vmConfig('pve3', 702)).scsi0).toBe(
      'ssd-pool:base-9001-disk-0/vm-702-disk-0,iothread=1,size=20G',
    );
    const destroy = await client.waitForTask(await client.deleteVm('pve3', 9001), { timeoutMs: 5000 });
    expect(destroy.exitstatus).toBe(
      "base volume 'ssd-pool:base-9001-disk-0' is still in use by linked cloned",
    );
  });

  it('refuses to clone a source with a lock property', async () => {
    const vm = sim.state.vms.find((v) => v.vmid === 100)!;
    vm.config.lock = 'backup'; // as during vzdump (covered in the semantics suite); set here to avoid a race
    try {
      await expect(client.cloneVm('pve1', 100, { newid: 703 })).rejects.toMatchObject({
        status: 500,
        message: 'VM is locked (backup)',
      });
    } finally {
      delete vm.config.lock;
    }
  });
});
