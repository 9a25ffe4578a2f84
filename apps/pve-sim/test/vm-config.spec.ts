/** Config edits beyond the checklist: per-key privileges, storage space, bridges checked at start, 401 delay. */
import type { PveClient } from '@proxdeck/pve-client';
import type { RunningPveSimulator } from '../src';
import { raw, startTestSim, tokenClient } from './helpers';

describe('VM config edits', () => {
  let sim: RunningPveSimulator;
  let client: PveClient;
  let limited: PveClient;
  beforeAll(async () => {
    sim = await startTestSim({
      authFailureDelayMs: 120,
      roles: { DiskEditor: ['VM.Audit', 'VM.Config.Disk', 'VM.Config.Options'] },
      tokens: [
        {
          id: 'root@pam!disks',
          secret: 'disks',
          privsep: 1,
          acl: [{ path: '/vms', roles: ['DiskEditor'] }],
        },
      ],
    });
    client = tokenClient(sim);
    limited = tokenClient(sim, { auth: { type: 'token', tokenId: 'root@pam!disks', secret: 'disks' } });
  });
  afterAll(async () => {
    await limited.close();
    await client.close();
    await sim.close();
  });

  it('checks the privilege of each key', async () => {
    await expect(limited.updateVmConfig('pve2', 101, { description: 'ok' })).resolves.toBeNull();
    await expect(limited.updateVmConfig('pve2', 101, { cores: 4 })).rejects.toMatchObject({
      status: 403,
      message: 'Permission check failed (/vms/101, VM.Config.CPU)',
    });
  });

  it('needs Datastore.AllocateSpace on the storage of a new disk', async () => {
    await expect(limited.updateVmConfig('pve2', 101, { scsi3: 'local-lvm:4' })).rejects.toMatchObject({
      status: 403,
      message: 'Permission check failed (/storage/local-lvm, Datastore.AllocateSpace)',
    });
    await expect(client.updateVmConfig('pve2', 101, { scsi3: 'local-lvm:4' })).resolves.toBeNull();
  });

  it('moves a removed disk to unusedN, and destroys it when unusedN is removed', async () => {
    const volid = String((await client.vmConfig('pve2', 101)).scsi3).split(',')[0]!;
    await client.updateVmConfig('pve2', 101, { delete: 'scsi3' });
    const config = await client.vmConfig('pve2', 101);
    const unused = Object.entries(config).find(([, v]) => v === volid)?.[0];
    expect(unused).toMatch(/^unused\d+$/);
    await client.unlinkDisks('pve2', 101, unused!);
    expect(sim.state.volumes.some((v) => v.volid === volid)).toBe(false);
  });

  it('refuses to remove disks of a protected VM', async () => {
    await client.updateVmConfig('pve2', 101, { protection: 1, scsi4: 'local-lvm:1' });
    await expect(client.updateVmConfig('pve2', 101, { delete: 'scsi4' })).rejects.toMatchObject({
      status: 500,
      message: "can't remove drive 'scsi4' - protection mode enabled",
    });
    await expect(client.deleteVm('pve2', 101)).rejects.toMatchObject({
      message: "can't remove VM 101 - protection mode enabled",
    });
    await client.updateVmConfig('pve2', 101, { protection: 0 });
  });

  it('checks NIC bridges when the VM starts', async () => {
    await client.updateVmConfig('pve2', 101, { net1: 'virtio,bridge=vmbr9' });
    const result = await client.waitForTask(await client.startVm('pve2', 101), { timeoutMs: 5000 });
    expect(result.exitstatus).toBe("bridge 'vmbr9' does not exist");
    await client.updateVmConfig('pve2', 101, { delete: 'net1' });
  });

  it('returns null from POST config with background_delay when the task ends in time, or the error', async () => {
    await expect(
      client.updateVmConfigAsync('pve2', 101, { description: 'bg', background_delay: 5 }),
    ).resolves.toBeNull();
    expect((await client.vmConfig('pve2', 101)).description).toBe('bg');
    sim.setFaults({ failTasks: { qmconfig: 'injected failure' } });
    try {
      await expect(
        client.updateVmConfigAsync('pve2', 101, { description: 'bg2', background_delay: 5 }),
      ).rejects.toMatchObject({
        status: 500,
        message: 'failed to update VM 101: injected failure',
      });
    } finally {
      sim.setFaults({});
    }
  });

  it('delays 401 answers when configured to (PVE waits about 3 s)', async () => {
    const started = Date.now();
    const res = await raw(sim, 'GET', '/api2/json/version', { token: false });
    expect(res.status).toBe(401);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
  });
});
