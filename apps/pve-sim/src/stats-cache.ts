/**
 * pvestatd's status cache (docs/pve-semantics.md §7.5): `GET /cluster/resources` takes a VM's status, name,
 * template flag, uptime and usage from what pvestatd last broadcast, about every 10 s; only the VM list itself,
 * `lock` and `tags` are read live. A VM created since the last broadcast has no entry yet: its row says
 * status `unknown` and carries no name. The simulator refreshes every 10 s × timeScale; `'off'` makes every
 * read live (for tests that need to see a change at once).
 */
import type { PveRelease } from '@proxdeck/pve-client';
import { vmUsage, vmUsageFields } from './metrics';
import type { ClusterState } from './state/cluster-state';
import type { SimVm } from './state/model';

/** PVE's broadcast period (pvestatd `$updatetime`), in real-cluster milliseconds. */
export const STATS_REFRESH_MS = 10_000;

export interface CachedVmStats {
  status: 'running' | 'stopped';
  name: string;
  template: 0 | 1;
  maxcpu: number;
  usage: Record<string, number>;
}

export type StatsRefresh = number | 'off';

export class VmStatsCache {
  private entries = new Map<number, CachedVmStats>();
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
  get(vm: SimVm): CachedVmStats | undefined {
    return this.live ? collect(vm, this.seed, this.release) : this.entries.get(vm.vmid);
  }

  /** One broadcast: every VM's figures as they are now (QemuServer vmstatus). */
  refresh(): void {
    const next = new Map<number, CachedVmStats>();
    for (const vm of this.state.data.vms) next.set(vm.vmid, collect(vm, this.seed, this.release));
    this.entries = next;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}

function collect(vm: SimVm, seed: number, release: PveRelease): CachedVmStats {
  const usage = vmUsage(vm, seed, Math.floor(Date.now() / 1000));
  return {
    status: vm.running ? 'running' : 'stopped',
    name: vm.config.name ?? `VM ${vm.vmid}`,
    template: vm.config.template === '1' ? 1 : 0,
    maxcpu: usage.maxcpu,
    usage: vmUsageFields(usage, release),
  };
}
