import type { PveVmResource } from '@proxdeck/pve-client';
import type { ServerLive } from './server.entity';
import { JOB_OWNED_STATUSES, type ServerStatus } from './server-status';

/** What the sync needs of a stored server. */
export interface SyncedServer {
  id: number;
  name: string;
  vmid: number | null;
  node: string | null;
  status: ServerStatus;
  live: ServerLive | null;
  cpuCores: number;
  memoryMb: number;
}

/** A stored server whose status, node, size or live figures the sync changes. */
export interface ServerChange {
  id: number;
  name: string;
  /** The status the server had when read: the update applies only if it still has it. */
  expectedStatus: ServerStatus;
  status: ServerStatus;
  node: string | null;
  live: ServerLive | null;
  /** vCPUs and memory the VM runs with (Proxmox's maxcpu, maxmem): a change made outside Proxdeck shows. */
  cpuCores: number;
  memoryMb: number;
}

/** A VM in Proxmox that no server of the inventory stands for. */
export interface UnmanagedVm {
  vmid: number;
  name: string | null;
  node: string;
  status: string;
  tags: string[];
}

export interface SyncPlan {
  changes: ServerChange[];
  /** Servers whose VM the resource list holds (their `last_synced_at` is now). */
  seen: number[];
  unmanaged: UnmanagedVm[];
}

const MiB = 1024 ** 2;

const PVE_STATUSES: Record<string, ServerStatus | undefined> = {
  running: 'running',
  stopped: 'stopped',
  paused: 'paused',
};

function liveOf(resource: PveVmResource): ServerLive {
  return {
    cpu_usage: resource.cpu,
    mem_bytes: resource.mem,
    maxmem_bytes: resource.maxmem,
    disk_bytes: resource.disk,
    uptime_s: resource.uptime,
    netin_bytes: resource.netin,
    netout_bytes: resource.netout,
    lock: resource.lock ?? null,
  };
}

/**
 * Whether live figures changed enough to tell anyone: the lock, the memory size, CPU use by a percentage
 * point, memory use by a percent of the size. Uptime and traffic counters move every cycle and are written
 * along with a change, not counted as one: otherwise every running VM would change every cycle.
 */
export function liveChanged(before: ServerLive | null, after: ServerLive): boolean {
  if (!before) return true;
  if (before.lock !== after.lock || before.maxmem_bytes !== after.maxmem_bytes) return true;
  if (Math.abs(before.cpu_usage - after.cpu_usage) >= 0.01) return true;
  return Math.abs(before.mem_bytes - after.mem_bytes) >= Math.max(after.maxmem_bytes, 1) * 0.01;
}

/** Proxmox tags as a list (`a;b` or `a,b` or `a b`). */
export function parseTags(tags: string | undefined): string[] {
  return (tags ?? '').split(/[;, ]+/).filter((tag) => tag.length > 0);
}

/**
 * Compares the inventory with one read of Proxmox's resource list (docs/api.md §3.2, sync):
 * - a VM that is there gives its server its status, node, vCPUs, memory and live figures. Proxmox's resource list comes from
 *   a stats cache: a VM it has no figures for yet (a fresh clone) is `unknown` and nameless there, and that
 *   never replaces a status Proxdeck knows; only its lock (which is live) is taken;
 * - a server whose VM is gone becomes `missing`, unless one of Proxdeck's jobs owns its status (a clone being
 *   made is not in the list yet; a failed creation keeps its error for cleanup);
 * - VMs no server stands for (templates aside) are reported as unmanaged.
 */
export function planSync(servers: readonly SyncedServer[], resources: readonly PveVmResource[]): SyncPlan {
  const vms = new Map<number, PveVmResource>();
  for (const resource of resources) {
    if (resource.type === 'qemu' && resource.template !== 1) vms.set(resource.vmid, resource);
  }
  const changes: ServerChange[] = [];
  const seen: number[] = [];
  const managed = new Set<number>();
  for (const server of servers) {
    if (server.vmid === null) continue;
    managed.add(server.vmid);
    const vm = vms.get(server.vmid);
    if (!vm) {
      if (!JOB_OWNED_STATUSES.has(server.status) && server.status !== 'missing')
        changes.push({
          id: server.id,
          name: server.name,
          expectedStatus: server.status,
          status: 'missing',
          node: server.node,
          live: server.live,
          cpuCores: server.cpuCores,
          memoryMb: server.memoryMb,
        });
      continue;
    }
    seen.push(server.id);
    const cached = vm.status === 'unknown';
    const live = cached ? server.live && { ...server.live, lock: vm.lock ?? null } : liveOf(vm);
    const reported = PVE_STATUSES[vm.status];
    const status =
      JOB_OWNED_STATUSES.has(server.status) || reported === undefined
        ? server.status === 'missing'
          ? 'unknown'
          : server.status
        : reported;
    const node = vm.node;
    // Sizes only from figures the stats cache has (a VM still `unknown` there reports none).
    const cpuCores = !cached && vm.maxcpu > 0 ? vm.maxcpu : server.cpuCores;
    const memoryMb = !cached && vm.maxmem > 0 ? Math.round(vm.maxmem / MiB) : server.memoryMb;
    if (
      status !== server.status ||
      node !== server.node ||
      cpuCores !== server.cpuCores ||
      memoryMb !== server.memoryMb ||
      (live !== null && (cached ? live.lock !== server.live?.lock : liveChanged(server.live, live)))
    )
      changes.push({
        id: server.id,
        name: server.name,
        expectedStatus: server.status,
        status,
        node,
        live,
        cpuCores,
        memoryMb,
      });
  }
  const unmanaged: UnmanagedVm[] = [];
  for (const vm of vms.values()) {
    if (managed.has(vm.vmid)) continue;
    unmanaged.push({
      vmid: vm.vmid,
      name: vm.name ?? null,
      node: vm.node,
      status: vm.status,
      tags: parseTags(vm.tags),
    });
  }
  unmanaged.sort((a, b) => a.vmid - b.vmid);
  return { changes, seen, unmanaged };
}
