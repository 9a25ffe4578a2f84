/** What every route handler gets: the simulator's services and the parsed, validated request. */
import type { PveParamValue, PveRelease } from '@proxdeck/pve-client';
import type { AuthInfo, AuthService } from './auth';
import type { FaultInjector } from './faults';
import type { ClusterState } from './state/cluster-state';
import type { StatsCache } from './stats-cache';
import type { TaskManager, VmFlocks } from './tasks';

export interface SimServices {
  state: ClusterState;
  tasks: TaskManager;
  flocks: VmFlocks;
  auth: AuthService;
  faults: FaultInjector;
  /** pvestatd's status cache behind `/cluster/resources`. */
  stats: StatsCache;
  /** Simulated seconds for agent boot, clone speed etc. are multiplied by timeScale. */
  timeScale: number;
  seed: number;
  /** The simulated Proxmox VE release: its schema, version, privileges and answers. */
  release: PveRelease;
  /** The simulated wall clock (epoch ms): backup times and pvescheduler's runs; tests may move it. */
  now(): number;
  /** The nodes' time zone (IANA): `GET /nodes/{node}/time` and the backup jobs' schedules. */
  timeZone: string;
  /** Save the state (if persistence is on); cheap to call often. */
  persist(): void;
}

export interface RequestContext {
  sim: SimServices;
  auth: AuthInfo;
  /** Validated parameters, path placeholders included. */
  params: Record<string, PveParamValue>;
}

/** A result with extra envelope keys next to `data` (the task log's `total`). */
export class EnvelopeWithExtras {
  constructor(
    readonly data: unknown,
    readonly extras: Record<string, unknown>,
  ) {}
}

export type RouteHandler = (ctx: RequestContext) => unknown;
export type RouteTable = Map<string, RouteHandler>;

export function str(params: Record<string, PveParamValue>, key: string): string | undefined {
  const v = params[key];
  return v === undefined ? undefined : String(v);
}

export function num(params: Record<string, PveParamValue>, key: string): number | undefined {
  const v = params[key];
  return v === undefined ? undefined : Number(v);
}

export function flag(params: Record<string, PveParamValue>, key: string): boolean {
  return Number(params[key] ?? 0) === 1;
}
