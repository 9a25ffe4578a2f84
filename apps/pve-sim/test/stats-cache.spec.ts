/**
 * pvestatd's status cache behind `/cluster/resources` (docs/pve-semantics.md §7.5): status, name and usage
 * lag until the next refresh; the VM list, `lock` and `tags` are live.
 */
import type { PveClient, PveClusterResource } from '@proxdeck/pve-client';
import type { RunningPveSimulator } from '../src';
import { eventually, startTestSim, tokenClient } from './helpers';

function vmRow(rows: PveClusterResource[], vmid: number): Record<string, unknown> | undefined {
  return rows.find((r) => 'vmid' in r && r.vmid === vmid) as Record<string, unknown> | undefined;
}

describe('the /cluster/resources status cache', () => {
  describe('refreshed only when pvestatd broadcasts (refreshStats)', () => {
    let sim: RunningPveSimulator;
    let client: PveClient;
    beforeAll(async () => {
      sim = await startTestSim({ statsRefreshMs: 3_600_000, timeScale: 0.01 }); // a full clone takes ~300 ms;
      client = tokenClient(sim);
    });
    afterAll(async () => {
      await client.close();
      await sim.close();
    });

    it('shows a fresh clone as unknown and nameless, with its live lock, until the next refresh', async () => {
      const upid = await client.cloneVm('pve2', 9000, { newid: 700, name: 'fresh', full: true });
      const during = vmRow(await client.clusterResources('vm'), 700);
      expect(during).toEqual({
        id: 'qemu/700',
        type: 'qemu',
        vmid: 700,
        node: 'pve2',
        status: 'unknown',
        lock: 'clone',
      });
      await client.waitForTask(upid, { timeoutMs: 5000 });
      const after = vmRow(await client.clusterResources('vm'), 700);
      expect(after).toEqual({
        id: 'qemu/700',
        type: 'qemu',
        vmid: 700,
        node: 'pve2',
        status: 'unknown',
        tags: 'template',
      });

      sim.refreshStats();
      expect(vmRow(await client.clusterResources('vm'), 700)).toMatchObject({
        status: 'stopped',
        name: 'fresh',
        template: 0,
        uptime: 0,
      });
    });

    it('keeps the cached status and name after a change, but shows tags and removal at once', async () => {
      sim.refreshStats();
      await client.updateVmConfig('pve2', 101, { name: 'renamed', tags: 'blue' });
      await client.waitForTask(await client.startVm('pve2', 101), { timeoutMs: 5000 });
      expect(vmRow(await client.clusterResources('vm'), 101)).toMatchObject({
        status: 'stopped',
        name: 'legacy-mail',
        uptime: 0,
        tags: 'blue',
      });
      sim.refreshStats();
      expect(vmRow(await client.clusterResources('vm'), 101)).toMatchObject({
        status: 'running',
        name: 'renamed',
      });

      await client.waitForTask(await client.deleteVm('pve2', 700), { timeoutMs: 5000 });
      expect(vmRow(await client.clusterResources('vm'), 700)).toBeUndefined();
    });

    it("keeps a node's and a storage's usage until the next refresh too", async () => {
      await client.waitForTask(await client.stopVm('pve2', 101), { timeoutMs: 5000 });
      sim.refreshStats();
      const usage = async () => {
        const rows = (await client.clusterResources()) as unknown as Record<string, unknown>[];
        return {
          nodeMem: rows.find((r) => r.id === 'node/pve2')?.mem,
          storageDisk: rows.find((r) => r.id === 'storage/pve2/local-lvm')?.disk,
        };
      };
      const before = await usage();
      await client.updateVmConfig('pve2', 101, { scsi1: 'local-lvm:8' });
      await client.waitForTask(await client.startVm('pve2', 101), { timeoutMs: 5000 });
      expect(await usage()).toEqual(before);
      expect((await client.nodes()).find((n) => n.node === 'pve2')?.mem).toBe(before.nodeMem);
      sim.refreshStats();
      const after = await usage();
      expect(Number(after.nodeMem)).toBeGreaterThan(Number(before.nodeMem));
      expect(Number(after.storageDisk)).toBe(Number(before.storageDisk) + 8 * 1024 ** 3);
    });

    it('answers the live status in the VM list and status/current meanwhile', async () => {
      await client.waitForTask(await client.stopVm('pve2', 101), { timeoutMs: 5000 });
      expect(vmRow(await client.clusterResources('vm'), 101)).toMatchObject({ status: 'running' });
      expect((await client.vmStatus('pve2', 101)).status).toBe('stopped');
      expect((await client.listVms('pve2')).find((v) => v.vmid === 101)?.status).toBe('stopped');
    });
  });

  it('refreshes on its own every 10 s × timeScale', async () => {
    const sim = await startTestSim({ timeScale: 0.02 }); // every 200 ms
    const client = tokenClient(sim);
    try {
      const upid = await client.cloneVm('pve2', 9000, { newid: 701, name: 'soon' });
      await client.waitForTask(upid, { timeoutMs: 5000 });
      const row = await eventually(
        async () => vmRow(await client.clusterResources('vm'), 701),
        (r) => r?.name === 'soon',
        3000,
      );
      expect(row).toMatchObject({ status: 'stopped', name: 'soon' });
    } finally {
      await client.close();
      await sim.close();
    }
  });

  it("is live on every read with statsRefreshMs: 'off'", async () => {
    const sim = await startTestSim({ statsRefreshMs: 'off', timeScale: 1 });
    const client = tokenClient(sim);
    try {
      await client.updateVmConfig('pve2', 101, { name: 'at-once' });
      expect(vmRow(await client.clusterResources('vm'), 101)).toMatchObject({ name: 'at-once' });
    } finally {
      await client.close();
      await sim.close();
    }
  });
});
