import type { PveVmResource } from '@proxdeck/pve-client';
import type { ServerLive } from './server.entity';
import { liveChanged, parseTags, planSync, type SyncedServer } from './sync-plan';

const GiB = 1024 ** 3;

function vm(vmid: number, fields: Partial<PveVmResource> = {}): PveVmResource {
  return {
    id: `qemu/${String(vmid)}`,
    type: 'qemu',
    vmid,
    node: 'pve1',
    status: 'running',
    name: `vm-${String(vmid)}`,
    template: 0,
    uptime: 100,
    maxcpu: 2,
    cpu: 0.1,
    maxmem: 2 * GiB,
    mem: GiB,
    maxdisk: 20 * GiB,
    disk: 0,
    netin: 10,
    netout: 20,
    diskread: 0,
    diskwrite: 0,
    ...fields,
  };
}

function server(id: number, fields: Partial<SyncedServer> = {}): SyncedServer {
  return {
    id,
    name: `s${String(id)}`,
    vmid: id,
    node: 'pve1',
    status: 'running',
    live: null,
    cpuCores: 2,
    memoryMb: 2048,
    ...fields,
  };
}

const live: ServerLive = {
  cpu_usage: 0.1,
  mem_bytes: GiB,
  maxmem_bytes: 2 * GiB,
  disk_bytes: 0,
  uptime_s: 50,
  netin_bytes: 1,
  netout_bytes: 2,
  lock: null,
};

describe('planSync', () => {
  it('takes status, node and live figures from the VM', () => {
    const plan = planSync([server(100, { status: 'stopped' })], [vm(100, { node: 'pve2' })]);
    expect(plan.changes).toEqual([
      expect.objectContaining({ id: 100, expectedStatus: 'stopped', status: 'running', node: 'pve2' }),
    ]);
    expect(plan.changes[0]?.live).toMatchObject({ cpu_usage: 0.1, mem_bytes: GiB, lock: null });
    expect(plan.seen).toEqual([100]);
  });

  it('reports no change when only uptime and traffic moved', () => {
    const plan = planSync(
      [server(100, { live })],
      [vm(100, { uptime: 999, netin: 5000, netout: 7000, cpu: 0.105 })],
    );
    expect(plan.changes).toEqual([]);
    expect(plan.seen).toEqual([100]);
  });

  it('never lets a VM still unknown in the stats cache replace a known status; its lock is live', () => {
    const plan = planSync(
      [server(100, { live }), server(101, { live, status: 'stopped' })],
      [vm(100, { status: 'unknown', lock: 'clone', cpu: 0, mem: 0 }), vm(101, { status: 'unknown' })],
    );
    expect(plan.changes).toEqual([
      expect.objectContaining({ id: 100, status: 'running', live: { ...live, lock: 'clone' } }),
    ]);
  });

  it('takes vCPUs and memory changed outside Proxdeck, but not from a VM the stats cache does not know yet', () => {
    const plan = planSync(
      [server(1, { live }), server(2, { live })],
      [vm(1, { maxcpu: 4, maxmem: 8 * GiB }), vm(2, { status: 'unknown', maxcpu: 0, maxmem: 0 })],
    );
    expect(plan.changes.map((c) => [c.id, c.cpuCores, c.memoryMb])).toEqual([[1, 4, 8192]]);
  });

  it('marks a vanished server missing unless a job owns its status', () => {
    const plan = planSync(
      [
        server(1),
        server(2, { status: 'creating' }),
        server(3, { status: 'deleting' }),
        server(4, { status: 'failed' }),
        server(5, { status: 'missing' }),
        server(6, { vmid: null, status: 'creating' }),
      ],
      [],
    );
    expect(plan.changes.map((c) => [c.id, c.status])).toEqual([[1, 'missing']]);
  });

  it('keeps a job-owned status but takes the figures; a missing server that is back is known again', () => {
    const plan = planSync(
      [server(1, { status: 'creating' }), server(2, { status: 'missing' }), server(3, { status: 'missing' })],
      [vm(1), vm(2, { status: 'stopped' }), vm(3, { status: 'unknown' })],
    );
    expect(plan.changes.map((c) => [c.id, c.status])).toEqual([
      [1, 'creating'],
      [2, 'stopped'],
      [3, 'unknown'],
    ]);
  });

  it('reports VMs no server stands for, without templates, in VMID order', () => {
    const plan = planSync(
      [server(100)],
      [vm(300, { tags: 'a;b' }), vm(100), vm(9000, { template: 1 }), vm(200, { name: undefined })],
    );
    expect(plan.unmanaged).toEqual([
      { vmid: 200, name: null, node: 'pve1', status: 'running', tags: [] },
      { vmid: 300, name: 'vm-300', node: 'pve1', status: 'running', tags: ['a', 'b'] },
    ]);
  });
});

describe('liveChanged', () => {
  it('counts a lock, a memory size, a CPU point and a memory percent as changes', () => {
    expect(liveChanged(null, live)).toBe(true);
    expect(liveChanged(live, { ...live, lock: 'backup' })).toBe(true);
    expect(liveChanged(live, { ...live, maxmem_bytes: 4 * GiB })).toBe(true);
    expect(liveChanged(live, { ...live, cpu_usage: 0.12 })).toBe(true);
    expect(liveChanged(live, { ...live, mem_bytes: GiB + 0.03 * GiB })).toBe(true);
    expect(liveChanged(live, { ...live, cpu_usage: 0.105, mem_bytes: GiB + 1000, uptime_s: 1e6 })).toBe(
      false,
    );
  });
});

describe('parseTags', () => {
  it('splits Proxmox tag lists', () => {
    expect(parseTags('proxdeck;web,db  x')).toEqual(['proxdeck', 'web', 'db', 'x']);
    expect(parseTags(undefined)).toEqual([]);
  });
});
