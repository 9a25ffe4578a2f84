/**
 * Fault injection: set through startPveSimulator({ faults }) or at run time through the admin route
 * `GET|PUT /_sim/faults` (outside /api2, root only).
 */
import { SeededRandom } from './random';

export interface PveSimFaults {
  /** Added to every /api2 answer, in real milliseconds. */
  latencyMs?: number;
  /** Share (0–1) of /api2 requests answered with `serverErrorStatus` before any handler runs. */
  serverErrorRate?: number;
  /** Status of injected server errors; default 503. */
  serverErrorStatus?: number;
  /**
   * Task types (`qmclone`, `vzdump`, …) that fail, with the exit status to report; a key `type:id`
   * (`qmstop:105`) fails only the tasks of that type on that guest, and wins over the type alone. vzdump fails
   * the guest (`vzdump:<vmid>`, or every guest) half way through its backup, as vzdump reports it: the text in
   * `ERROR: Backup of VM <vmid> failed - <text>`, the task's exit status `job errors`.
   */
  failTasks?: Record<string, string>;
  /** VMIDs whose flock can never be obtained: operations wait 10 s (scaled) and fail with the lock timeout. */
  lockTimeoutVmids?: number[];
  /** Nodes that pveproxy cannot reach: calls proxied to them answer 596. */
  unreachableNodes?: string[];
}

export class FaultInjector {
  private faults: PveSimFaults;
  private readonly random: SeededRandom;

  constructor(initial: PveSimFaults | undefined, seed: number) {
    this.faults = { ...initial };
    this.random = new SeededRandom(seed ^ 0x5eed);
  }

  get current(): PveSimFaults {
    return { ...this.faults };
  }

  set(next: PveSimFaults): void {
    this.faults = { ...next };
  }

  latencyMs(): number {
    return this.faults.latencyMs ?? 0;
  }

  /** The status to answer with instead of running the request, if this request draws a fault. */
  drawServerError(): number | undefined {
    const rate = this.faults.serverErrorRate ?? 0;
    if (rate <= 0) return undefined;
    return this.random.next() < rate ? (this.faults.serverErrorStatus ?? 503) : undefined;
  }

  taskFailure(type: string, id = ''): string | undefined {
    return this.faults.failTasks?.[`${type}:${id}`] ?? this.faults.failTasks?.[type];
  }

  lockTimeout(vmid: number): boolean {
    return this.faults.lockTimeoutVmids?.includes(vmid) ?? false;
  }

  nodeUnreachable(node: string): boolean {
    return this.faults.unreachableNodes?.includes(node) ?? false;
  }
}

export function parseFaults(input: unknown): PveSimFaults {
  if (typeof input !== 'object' || input === null) throw new Error('faults must be an object');
  const o = input as Record<string, unknown>;
  const out: PveSimFaults = {};
  const num = (k: string): number | undefined => (typeof o[k] === 'number' ? o[k] : undefined);
  const latency = num('latencyMs');
  if (latency !== undefined) out.latencyMs = latency;
  const rate = num('serverErrorRate');
  if (rate !== undefined) out.serverErrorRate = rate;
  const status = num('serverErrorStatus');
  if (status !== undefined) out.serverErrorStatus = status;
  if (typeof o.failTasks === 'object' && o.failTasks !== null) {
    out.failTasks = Object.fromEntries(Object.entries(o.failTasks).map(([k, v]) => [k, String(v)]));
  }
  if (Array.isArray(o.lockTimeoutVmids)) out.lockTimeoutVmids = o.lockTimeoutVmids.map(Number);
  if (Array.isArray(o.unreachableNodes)) out.unreachableNodes = o.unreachableNodes.map(String);
  return out;
}
