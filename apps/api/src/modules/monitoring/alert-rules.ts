import type { AlertLevel } from './alert.entity';
import { classify, percentOf, type HealthThresholds } from './health';

/**
 * The alert checker's rules (docs/api.md §10), pure so that they are tested with injected time: what is wrong
 * now (conditions), and from that, the open alerts and the "first seen above" times, what to raise and resolve.
 */

/** A condition observed in one cycle; `key` names it across cycles (`cpu_high:web-01`, `pve_unreachable`). */
export interface AlertCondition {
  key: string;
  type: string;
  level: AlertLevel;
  server: string | null;
  message: string;
  value: number | string | null;
  threshold: number | null;
}

/** Types raised only once they have held for the duration (ALERT_FOR_S): one spike raises nothing. */
export const DURATION_TYPES: ReadonlySet<string> = new Set(['cpu_high', 'memory_high', 'disk_high']);

/** Inventory statuses the checker does not watch. */
const NOT_WATCHED: ReadonlySet<string> = new Set(['creating', 'deleting', 'failed', 'missing']);

/** What the checker knows of a server from the inventory. */
export interface CheckedServer {
  name: string;
  vmid: number | null;
  status: string;
  /**
   * Whether the server should run, as Proxdeck last left it (its last completed start, reboot or stop; a
   * server it created runs); null when Proxdeck never said (an imported server): the inventory's status then.
   */
  expected?: 'running' | 'stopped' | null;
}

/** What `/cluster/resources?type=vm` says of a VM. */
export interface CheckedVm {
  status: string;
  cpu?: number;
  mem?: number;
  maxmem?: number;
  disk?: number;
  maxdisk?: number;
}

/**
 * The conditions of one cycle from the inventory and one read of the cluster:
 * - thresholds (CPU, memory, disk) of every running VM, through health.ts's classification;
 * - `server_down`: Proxmox reports the VM stopped while the server should run: Proxdeck last started it (or
 *   created it), or, for a server Proxdeck never started or stopped, the inventory says it runs. A stop through
 *   Proxdeck raises nothing; a stop behind its back does, even after the sync has taken the stopped status
 *   into the inventory. An open server_down alert stays open while the VM is stopped: it is resolved when the
 *   VM runs again (or is gone).
 * Servers without a VM, VMs Proxmox does not list, and servers being created or deleted give no condition.
 */
export function conditionsOf(
  servers: readonly CheckedServer[],
  vms: ReadonlyMap<number, CheckedVm>,
  thresholds: HealthThresholds,
  openKeys: ReadonlySet<string>,
): AlertCondition[] {
  const conditions: AlertCondition[] = [];
  for (const server of servers) {
    // A job owns the server (creating, deleting, a failed creation) or its VM is gone: nothing to watch.
    if (server.vmid === null || NOT_WATCHED.has(server.status)) continue;
    const vm = vms.get(server.vmid);
    if (!vm) continue;
    const downKey = `server_down:${server.name}`;
    const shouldRun =
      server.expected === 'running' || ((server.expected ?? null) === null && server.status === 'running');
    if (vm.status === 'stopped' && (shouldRun || openKeys.has(downKey))) {
      conditions.push({
        key: downKey,
        type: 'server_down',
        level: 'critical',
        server: server.name,
        message: `${server.name} is stopped in Proxmox while Proxdeck expects it to run`,
        value: 'stopped',
        threshold: null,
      });
      continue;
    }
    if (vm.status !== 'running') continue;
    const { issues } = classify(
      {
        pve: 'running',
        tcp: 'skipped',
        agent: 'not_checked',
        metrics: {
          cpu_percent: vm.cpu === undefined ? null : Math.round(vm.cpu * 1000) / 10,
          mem_percent: percentOf(vm.mem, vm.maxmem),
          disk_percent: vm.disk ? percentOf(vm.disk, vm.maxdisk) : null,
          netin_bps: null,
          netout_bps: null,
        },
      },
      thresholds,
    );
    for (const issue of issues) {
      if (!DURATION_TYPES.has(issue.type) || issue.level === 'unknown') continue;
      conditions.push({
        key: `${issue.type}:${server.name}`,
        type: issue.type,
        level: issue.level,
        server: server.name,
        message: `${server.name}: ${issue.message}`,
        value: issue.value,
        threshold: issue.threshold,
      });
    }
  }
  return conditions;
}

/** The one cluster alert when Proxmox cannot be read. */
export function unreachableCondition(reason: string): AlertCondition {
  return {
    key: 'pve_unreachable',
    type: 'pve_unreachable',
    level: 'critical',
    server: null,
    message: `Proxmox cannot be reached: ${reason}`.slice(0, 1000),
    value: null,
    threshold: null,
  };
}

export interface OpenAlert {
  id: number;
  key: string;
}

export interface EvaluationInput {
  /** false: Proxmox could not be read; `conditions` is then the one `pve_unreachable`. */
  reachable: boolean;
  conditions: readonly AlertCondition[];
  /** Alerts active or acknowledged. */
  open: readonly OpenAlert[];
  /** When each duration condition was first seen, in ms, from the cycles before. */
  pending: Readonly<Record<string, number>>;
  now: number;
  forMs: number;
}

export interface Evaluation {
  raise: AlertCondition[];
  resolve: OpenAlert[];
  /** The "first seen" times to keep for the next cycle. */
  pending: Record<string, number>;
}

/**
 * - A condition with an open alert raises nothing (an alert is raised once, also while acknowledged).
 * - A duration condition is raised once it has been seen in every cycle for `forMs`; a cycle without it forgets
 *   when it was first seen. Other conditions are raised at once.
 * - An open alert whose condition is gone is resolved.
 * - Proxmox unreachable: only the cluster alert is raised; per-server alerts and their times are left as they
 *   are (nothing is known of the servers that cycle).
 */
export function evaluate(input: EvaluationInput): Evaluation {
  const openKeys = new Set(input.open.map((alert) => alert.key));
  if (!input.reachable)
    return {
      raise: input.conditions.filter((condition) => !openKeys.has(condition.key)),
      resolve: [],
      pending: { ...input.pending },
    };
  const raise: AlertCondition[] = [];
  const pending: Record<string, number> = {};
  for (const condition of input.conditions) {
    if (DURATION_TYPES.has(condition.type)) {
      const first = input.pending[condition.key] ?? input.now;
      pending[condition.key] = first;
      if (openKeys.has(condition.key)) continue;
      if (input.now - first >= input.forMs) raise.push(condition);
    } else if (!openKeys.has(condition.key)) raise.push(condition);
  }
  const seen = new Set(input.conditions.map((condition) => condition.key));
  return { raise, resolve: input.open.filter((alert) => !seen.has(alert.key)), pending };
}
