/**
 * The Proxmox VE 9.2 simulator as a library: `startPveSimulator(options)` starts an HTTPS (or HTTP) server
 * that speaks the PVE API closely enough for real clients (see docs/pve-semantics.md).
 */
import { join } from 'node:path';
import { isTimeZone, PVE_RELEASES, type PveRelease } from '@proxdeck/pve-client';
import type { AddressInfo } from 'node:net';
import {
  AccessControl,
  type SimGroupOption,
  type SimTokenOption,
  type SimUserOption,
} from './access/access-control';
import { AuthService } from './auth';
import type { RouteTable, SimServices } from './context';
import { FaultInjector, type PveSimFaults } from './faults';
import { SeededRandom } from './random';
import { registerAccessRoutes } from './routes/access';
import { registerBackupRoutes } from './routes/backup';
import { SCHEDULER_PERIOD_MS, registerBackupJobRoutes, runDueBackupJobs } from './routes/backup-jobs';
import { registerClusterRoutes } from './routes/cluster';
import { registerFirewallRoutes } from './routes/firewall';
import { registerQemuRoutes } from './routes/qemu';
import { registerQemuAgentRoutes } from './routes/qemu-agent';
import { registerQemuCloneRoute } from './routes/qemu-clone';
import { registerQemuPowerRoutes } from './routes/qemu-power';
import { registerStorageRoutes } from './routes/storage';
import { AUTH_FAILURE_DELAY_MS, buildServer } from './server';
import { STATS_REFRESH_MS, StatsCache, type StatsRefresh } from './stats-cache';
import { ClusterState } from './state/cluster-state';
import type { SimStateData } from './state/model';
import { StateWriter, loadState } from './state/persistence';
import { buildScenario, type ScenarioName } from './state/scenario';
import { TaskManager, VmFlocks, type TaskConcurrency } from './tasks';
import { ensureCertificates } from './tls';

export type { PveSimFaults } from './faults';
export type { TaskConcurrency } from './tasks';
export type { SimAclOption, SimGroupOption, SimTokenOption, SimUserOption } from './access/access-control';
export { privilegeModel } from './access/privileges';
export { accessForRoles } from './access/access-control';
export type { ScenarioName } from './state/scenario';
export type { StatsRefresh } from './stats-cache';
export type { SimBackupJob, SimStateData, SimVm, SimTask } from './state/model';
export { DEFAULT_NODES, TEMPLATE_IDS } from './state/scenario';

export interface PveSimulatorOptions {
  /** 0 = a random free port; default 8006. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * The Proxmox VE release to simulate: `9.2` (default) or `8.3` (its schema, `/version`, `VM.Monitor` instead of
   * the `VM.GuestAgent.*` privileges, no PVE 9 fields such as `memhost`).
   */
  release?: PveRelease;
  /** Default https, with a certificate made at first start. */
  protocol?: 'https' | 'http';
  /** Where the CA, certificate and key are written and reused; default `<cwd>/.data/pve-sim`. */
  certDir?: string;
  /** Determinism: MACs, IPs, pids, RRD curves. Default 1. */
  seed?: number;
  /** 1 = realistic durations (a full clone takes tens of seconds); smaller = faster. Default 1. */
  timeScale?: number;
  /** The root@pam password (from settings; never hard-coded). */
  rootPassword: string;
  /** The API token Proxdeck uses, e.g. `root@pam!proxdeck`; privsep 0 unless given. */
  apiToken?: { id: string; secret: string; privsep?: 0 | 1 };
  /**
   * user.cfg beyond root: custom roles (name → privileges), groups, users and API tokens, each with ACL entries
   * naming built-in or custom roles. Applied over what the state file kept.
   */
  roles?: Record<string, string[]>;
  groups?: SimGroupOption[];
  users?: SimUserOption[];
  tokens?: SimTokenOption[];
  /** Persist the state to this JSON file and load it on start. */
  stateFile?: string;
  /** `default` (3 nodes, templates, a few VMs), `large` (2,000 VMs) or `empty`. */
  scenario?: ScenarioName;
  faults?: PveSimFaults;
  /** Delay of every 401 answer, real milliseconds; default PVE's 3 s × timeScale. */
  authFailureDelayMs?: number;
  /**
   * pvestatd's status cache behind `/cluster/resources` (status, name, usage; a new VM is `unknown` until the
   * next refresh): real milliseconds between refreshes, default 10 s × timeScale; `'off'` = always live.
   */
  statsRefreshMs?: StatsRefresh;
  /** Clock for ticket and CSRF validity, backup times and scheduled jobs (tests move it forward); default Date.now. */
  now?: () => number;
  /** The nodes' time zone (an IANA zone), in which backup jobs' schedules run; default `UTC`. */
  timeZone?: string;
}

export interface RunningPveSimulator {
  /** e.g. `https://127.0.0.1:8006` */
  url: string;
  port: number;
  /** PEM file of the CA that signed the server certificate (https only). */
  caFile?: string;
  /** The live state, for assertions in tests. */
  readonly state: SimStateData;
  /** Current faults; replace them with setFaults (also possible over `PUT /_sim/faults`). */
  readonly faults: PveSimFaults;
  setFaults(faults: PveSimFaults): void;
  /** Number of /api2 requests served, by `METHOD /path-template` (for tests and benchmarks). */
  requestCounts(): Record<string, number>;
  /** Tasks running now and the most that ran at once, per node (also `GET /_sim/tasks/concurrency`). */
  taskConcurrency(): TaskConcurrency;
  /** Refreshes the `/cluster/resources` status cache now, as pvestatd's next broadcast would. */
  refreshStats(): void;
  /** Starts counting the peaks afresh. */
  resetTaskPeaks(): void;
  /** Runs pvescheduler's check now (it also runs every minute × timeScale): the UPIDs of the jobs it started. */
  runBackupScheduler(): string[];
  close(): Promise<void>;
}

export async function startPveSimulator(options: PveSimulatorOptions): Promise<RunningPveSimulator> {
  if (!options.rootPassword) throw new Error('startPveSimulator: rootPassword is required');
  if (options.timeScale !== undefined && !(options.timeScale > 0 && Number.isFinite(options.timeScale))) {
    throw new Error('startPveSimulator: timeScale must be a positive number');
  }
  if (
    options.statsRefreshMs !== undefined &&
    options.statsRefreshMs !== 'off' &&
    !(options.statsRefreshMs > 0 && Number.isFinite(options.statsRefreshMs))
  ) {
    throw new Error("startPveSimulator: statsRefreshMs must be a positive number or 'off'");
  }
  if (options.apiToken && !/^[^@!\s]+@[^@!\s]+![A-Za-z][A-Za-z0-9.\-_]+$/.test(options.apiToken.id)) {
    throw new Error('startPveSimulator: apiToken.id must look like user@realm!tokenid');
  }
  const release = options.release ?? '9.2';
  if (!PVE_RELEASES.includes(release))
    throw new Error(`startPveSimulator: release must be one of ${PVE_RELEASES.join(', ')}`);
  const seed = options.seed ?? 1;
  const timeScale = options.timeScale ?? 1;
  const host = options.host ?? '127.0.0.1';
  const protocol = options.protocol ?? 'https';
  const data =
    (options.stateFile !== undefined ? loadState(options.stateFile) : undefined) ??
    buildScenario(options.scenario ?? 'default', seed, Date.now());
  const state = new ClusterState(data, new SeededRandom(seed));
  const faults = new FaultInjector(options.faults, seed);
  const writer =
    options.stateFile !== undefined ? new StateWriter(options.stateFile, () => state.data) : undefined;
  const persist = (): void => writer?.schedule();
  const tasks = new TaskManager(state, {
    timeScale,
    onChange: persist,
    injectedFailure: (type, id) => faults.taskFailure(type, id),
  });
  const flocks = new VmFlocks(tasks, (vmid) => faults.lockTimeout(vmid));
  const tokens: SimTokenOption[] = [...(options.tokens ?? [])];
  if (options.apiToken) tokens.push({ privsep: 0, ...options.apiToken });
  const now = options.now ?? Date.now;
  const timeZone = options.timeZone ?? 'UTC';
  if (!isTimeZone(timeZone)) throw new Error(`unknown time zone ${timeZone}`);
  const access = new AccessControl(state.data, () => Math.floor(now() / 1000), release);
  access.seed({
    rootPassword: options.rootPassword,
    ...(options.roles ? { roles: options.roles } : {}),
    ...(options.groups ? { groups: options.groups } : {}),
    ...(options.users ? { users: options.users } : {}),
    tokens,
  });
  const auth = new AuthService(access, now);
  const stats = new StatsCache(
    state,
    seed,
    options.statsRefreshMs ?? Math.max(1, Math.round(STATS_REFRESH_MS * timeScale)),
    release,
  );
  const sim: SimServices = {
    state,
    tasks,
    flocks,
    auth,
    faults,
    stats,
    timeScale,
    seed,
    release,
    now,
    timeZone,
    persist,
  };

  const routes: RouteTable = new Map();
  registerClusterRoutes(routes);
  registerQemuRoutes(routes);
  registerQemuPowerRoutes(routes);
  registerQemuCloneRoute(routes);
  registerQemuAgentRoutes(routes);
  registerStorageRoutes(routes);
  registerBackupRoutes(routes);
  registerBackupJobRoutes(routes);
  registerFirewallRoutes(routes);
  registerAccessRoutes(routes);

  const counts = new Map<string, number>();
  const counted: RouteTable = new Map(
    [...routes].map(([key, handler]) => [
      key,
      (ctx) => {
        counts.set(key, (counts.get(key) ?? 0) + 1);
        return handler(ctx);
      },
    ]),
  );

  let https: { key: string; cert: string } | undefined;
  let caFile: string | undefined;
  if (protocol === 'https') {
    const certs = await ensureCertificates(
      options.certDir ?? join(process.cwd(), '.data', 'pve-sim'),
      ['localhost', host, '127.0.0.1', '::1'].filter((h, i, a) => a.indexOf(h) === i && h !== '0.0.0.0'),
    );
    https = { key: certs.key, cert: certs.cert };
    caFile = certs.caFile;
  }
  const app = buildServer(sim, counted, {
    ...(https ? { https } : {}),
    authFailureDelayMs: options.authFailureDelayMs ?? Math.round(AUTH_FAILURE_DELAY_MS * timeScale),
  });
  await app.listen({ port: options.port ?? 8006, host });
  const port = (app.server.address() as AddressInfo).port;
  // pvescheduler: the backup jobs' runs, checked every minute × timeScale.
  const scheduler = setInterval(
    () => {
      runDueBackupJobs(sim);
    },
    Math.max(20, Math.round(SCHEDULER_PERIOD_MS * timeScale)),
  );
  scheduler.unref();
  const urlHost = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;

  return {
    url: `${protocol}://${urlHost}:${port}`,
    port,
    ...(caFile !== undefined ? { caFile } : {}),
    get state() {
      return state.data;
    },
    get faults() {
      return faults.current;
    },
    setFaults: (next) => {
      faults.set(next);
    },
    requestCounts: () => Object.fromEntries(counts),
    taskConcurrency: () => tasks.concurrency(),
    refreshStats: () => {
      stats.refresh();
    },
    resetTaskPeaks: () => {
      tasks.resetPeaks();
    },
    runBackupScheduler: () => runDueBackupJobs(sim),
    close: async () => {
      clearInterval(scheduler);
      stats.stop();
      await app.close();
      tasks.abortAll(); // like a node shutting down: running workers end with `received interrupt`
      await tasks.drain();
      writer?.flush();
    },
  };
}
