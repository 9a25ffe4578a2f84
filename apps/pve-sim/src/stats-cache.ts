/**
 * pvestatd's status cache (docs/pve-semantics.md §7.5): `GET /cluster/resources` (and `GET /nodes`) take a VM's
 * status, name, template flag, uptime and usage, a node's usage and a storage's usage from what pvestatd last
 * broadcast, about every 10 s; only the lists themselves (VMs, nodes and their membership, storages), a VM's `lock`
 * and `tags` are read live. A VM created since the last broadcast has no entry yet: its row says status `unknown`
 * and carries no name. The simulator refreshes every 10 s × timeScale; `'off'` makes every read live (for tests
 * that need to see a change at once).
 */
import type { PveRelease } from '@proxdeck/pve-client';
import { nodeUsage, vmUsage, vmUsageFields } from './metrics';
import type { ClusterState } from './state/cluster-state';
import type { SimNode, SimStorage, SimVm } from './state/model';

/** PVE's broadcast period (pvestatd `$updatetime`), in real-cluster milliseconds. */
export const STATS_REFRESH_MS = 10_000;

export interface CachedVmStats {
  status: 'running' | 'stopped';
  name: string;
  template: 0 | 1;
  maxcpu: number;
  usage: Record<string, number>;
}

export interface CachedStorageStats {
  disk: number;
  maxdisk: number;
}

export type StatsRefresh = number | 'off';

interface Snapshot {
  vms: Map<number, CachedVmStats>;
  nodes: Map<string, Record<string, number | string>>;
  storages: Map<string, CachedStorageStats>;
}

export class StatsCache {
  private snapshot: Snapshot = { vms: new Map(), nodes: new Map(), storages: new Map() };
  private timer: NodeJS.Timeout | undefined;

  /** `refreshMs`: real milliseconds between broadcasts, or `'off'` for live figures on every read. */
  constructor(
    private readonly state: ClusterState,
    private readonly seed: number,
    private readonly refreshMs: StatsRefresh,
    private readonly release: PveRelease = '9.2',
  ) {
    if (refreshMs === 'off') return;
    this.refresh();
    this.timer = setInterval(() => {
      this.refresh();
    }, refreshMs);
    this.timer.unref();
  }

  get live(): boolean {
    return this.refreshMs === 'off';
  }

  /** What the cache says of a VM; undefined when pvestatd has not broadcast it yet. */
  vm(vm: SimVm): CachedVmStats | undefined {
    return this.live ? this.collectVm(vm) : this.snapshot.vms.get(vm.vmid);
  }

  /** A node's usage figures (cpu, mem, disk, uptime, …); undefined before its first broadcast. */
  node(node: SimNode): Record<string, number | string> | undefined {
    return this.live ? this.collectNode(node) : this.snapshot.nodes.get(node.name);
  }

  /** A storage's usage on a node; undefined before its first broadcast (the row then says `unknown`). */
  storage(node: SimNode, storage: SimStorage): CachedStorageStats | undefined {
    return this.live
      ? this.collectStorage(node, storage)
      : this.snapshot.storages.get(`${node.name}/${storage.storage}`);
  }

  /** One broadcast: every VM's, node's and storage's figures as they are now. */
  refresh(): void {
    const next: Snapshot = { vms: new Map(), nodes: new Map(), storages: new Map() };
    for (const vm of this.state.data.vms) next.vms.set(vm.vmid, this.collectVm(vm));
    for (const node of this.state.data.nodes) {
      next.nodes.set(node.name, this.collectNode(node));
      for (const storage of this.state.storagesOn(node.name))
        next.storages.set(`${node.name}/${storage.storage}`, this.collectStorage(node, storage));
    }
    this.snapshot = next;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private collectVm(vm: SimVm): CachedVmStats {
    const usage = vmUsage(vm, this.seed, Math.floor(Date.now() / 1000));
    return {
      status: vm.running ? 'running' : 'stopped',
      name: vm.config.name ?? `VM ${vm.vmid}`,
      template: vm.config.template === '1' ? 1 : 0,
      maxcpu: usage.maxcpu,
      usage: vmUsageFields(usage, this.release),
    };
  }

  private collectNode(node: SimNode): Record<string, number | string> {
    return nodeUsage(this.state, this.seed, node, Math.floor(Date.now() / 1000));
  }

  private collectStorage(node: SimNode, storage: SimStorage): CachedStorageStats {
    return { disk: this.state.usedBytes(node.name, storage), maxdisk: storage.total };
  }
}
