/**
 * PveClient: a typed client of the Proxmox VE 9.2 REST API.
 * - API-token auth, or ticket auth with CSRF on writes and renewal well before the 2 h expiry;
 * - form-encoded bodies, 0/1 booleans; typed errors (PveApiError with status, message and `errors`);
 * - retries with backoff only where safe (reads, failures before sending, PVE lock timeouts);
 * - a limit on concurrent requests per node; one task watcher per client (i.e. per cluster).
 */
import { readFileSync } from 'node:fs';
import { PveApiError, PveTimeoutError, PveTransportError, isLockTimeoutMessage } from './errors';
import { KeyedLimiter } from './concurrency';
import { encodePveParams, type PveRequestParams } from './form-encoding';
import { PveHttpTransport, isTlsErrorCode, type PveHttpResponse } from './http-transport';
import type { PveEndpointParams } from './schema/pve-params.generated';
import {
  PveTaskWatcher,
  type PveTaskResult,
  type PveTaskWatcherOptions,
  type WaitForTaskOptions,
} from './task-watcher';
import type {
  PveBackupJob,
  PveNotBackedUpGuest,
  PveAgentFileRead,
  PveAclEntry,
  PveAgentFilesystem,
  PveAgentInfo,
  PveCreatedToken,
  PveGroup,
  PveRole,
  PveTokenInfo,
  PveTokenListItem,
  PveUser,
  PveUserListItem,
  PveClusterOptions,
  PveContainerListItem,
  PveAgentNetworkInterface,
  PveClusterResource,
  PveClusterStatusItem,
  PveFirewallAlias,
  PveFirewallGroup,
  PveFirewallIpset,
  PveFirewallIpsetEntry,
  PveFirewallRule,
  PveFirewallRuleInput,
  PveHaResource,
  PveNetworkInterface,
  PveNodeListItem,
  PveNodeStatus,
  PveNodeTime,
  PveNodeStorage,
  PvePendingItem,
  PvePermissions,
  PvePool,
  PveRrdPoint,
  PveSnapshot,
  PveStorageConfig,
  PveStorageContentItem,
  PveTaskListItem,
  PveTaskLogLine,
  PveTaskStatus,
  PveTicket,
  PveVersion,
  PveVmConfig,
  PveVmFirewallOptions,
  PveVmListItem,
  PveVmStatus,
  PveVolumeAttributes,
} from './types';
import { parseUpid } from './upid';

export type PveAuth =
  | { type: 'token'; /** `user@realm!tokenid` */ tokenId: string; secret: string }
  | { type: 'ticket'; /** `user@realm` */ username: string; password: string };

export interface PveRetryOptions {
  /** Extra attempts after the first; default 3. */
  retries?: number;
  /** First backoff delay; doubles each time, with jitter; default 250 ms. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

export interface PveClientOptions {
  /** `https://host:8006` (with or without `/api2/json`). */
  baseUrl: string;
  auth: PveAuth;
  /** Verify the server certificate; default true. */
  tlsVerify?: boolean;
  /** PEM file of the CA to trust (for the simulator: its `caFile`). */
  caFile?: string;
  /** PEM text, as an alternative to caFile. */
  ca?: string;
  /** Per-request timeout; default 30 000 ms. */
  timeoutMs?: number;
  /** Concurrent requests per PVE node (cluster-wide paths share one key); default 8. */
  maxConcurrentPerNode?: number;
  retry?: PveRetryOptions;
  /** Renew the ticket after this age; default 15 min (as the PVE GUI). Tickets live 2 h. */
  ticketRenewAfterMs?: number;
  taskWatcher?: PveTaskWatcherOptions;
  /** Clock, injectable for tests; default Date.now. */
  now?: () => number;
  /** Observes every request before it is sent (metrics, conformance tests). */
  onRequest?: (request: PveRequestInfo) => void;
}

export interface PveRequestInfo {
  method: PveMethod;
  /** API path without `/api2/json`, e.g. `/nodes/pve1/qemu/100/config`. */
  path: string;
  params: PveRequestParams;
}

export type PveMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** Parameters of an endpoint without its path placeholders. */
type Params<K extends keyof PveEndpointParams, Omitted extends string = never> = Omit<
  PveEndpointParams[K],
  Omitted
>;

interface TicketState {
  ticket: string;
  csrf: string;
  obtainedAt: number;
}

interface Envelope<T> {
  data: T;
  total?: number;
}

const TICKET_LIFETIME_MS = 2 * 60 * 60 * 1000;

export class PveClient {
  readonly baseUrl: string;
  private readonly transport: PveHttpTransport;
  private readonly limiter: KeyedLimiter;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly renewAfterMs: number;
  private readonly now: () => number;
  private ticket: TicketState | undefined;
  private login: Promise<TicketState> | undefined;
  private watcher: PveTaskWatcher | undefined;

  constructor(private readonly options: PveClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '').replace(/\/api2\/json$/, '');
    const ca =
      options.ca ?? (options.caFile !== undefined ? readFileSync(options.caFile, 'utf8') : undefined);
    this.transport = new PveHttpTransport({
      tlsVerify: options.tlsVerify ?? true,
      ...(ca !== undefined ? { ca } : {}),
    });
    this.limiter = new KeyedLimiter(options.maxConcurrentPerNode ?? 8);
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retry?.retries ?? 3;
    this.baseDelayMs = options.retry?.baseDelayMs ?? 250;
    this.maxDelayMs = options.retry?.maxDelayMs ?? 5_000;
    this.renewAfterMs = Math.min(options.ticketRenewAfterMs ?? 15 * 60 * 1000, TICKET_LIFETIME_MS - 60_000);
    this.now = options.now ?? Date.now;
  }

  // ---- core --------------------------------------------------------------------------------------------

  /** Sends one request and returns the `data` of PVE's envelope. */
  async request<T>(method: PveMethod, path: string, params: PveRequestParams = {}): Promise<T> {
    return (await this.requestEnvelope<T>(method, path, params)).data;
  }

  /** Like request(), but returns the whole envelope (e.g. the task log's `total`). */
  async requestEnvelope<T>(
    method: PveMethod,
    path: string,
    params: PveRequestParams = {},
  ): Promise<Envelope<T>> {
    this.options.onRequest?.({ method, path, params });
    const node = /^\/nodes\/([^/]+)/.exec(path)?.[1] ?? '';
    return this.limiter.run(node, () => this.withRetries(method, path, params));
  }

  private async withRetries<T>(
    method: PveMethod,
    path: string,
    params: PveRequestParams,
  ): Promise<Envelope<T>> {
    let reauthenticated = false;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.send<T>(method, path, params);
      } catch (error) {
        if (
          error instanceof PveApiError &&
          error.status === 401 &&
          this.options.auth.type === 'ticket' &&
          path !== '/access/ticket' &&
          error.path !== '/access/ticket' && // the login itself failed: a second try cannot help
          !reauthenticated
        ) {
          // A 401 comes from the auth stage, before the handler ran: log in again and resend once.
          reauthenticated = true;
          this.ticket = undefined;
          attempt--;
          continue;
        }
        if (attempt >= this.retries || !isSafeToRetry(error, method)) throw error;
        await delay(this.backoff(attempt));
      }
    }
  }

  private backoff(attempt: number): number {
    const exp = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** attempt);
    return exp / 2 + Math.random() * (exp / 2);
  }

  private async send<T>(method: PveMethod, path: string, params: PveRequestParams): Promise<Envelope<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const auth = this.options.auth;
    if (path !== '/access/ticket') {
      if (auth.type === 'token') {
        headers.authorization = `PVEAPIToken=${auth.tokenId}=${auth.secret}`;
      } else {
        const ticket = await this.currentTicket();
        headers.cookie = `PVEAuthCookie=${encodeURIComponent(ticket.ticket)}`;
        if (method !== 'GET') headers.csrfpreventiontoken = ticket.csrf;
      }
    }
    const encoded = encodePveParams(params).toString();
    let url = `${this.baseUrl}/api2/json${path}`;
    let body: string | undefined;
    if (method === 'GET' || method === 'DELETE') {
      if (encoded !== '') url += `?${encoded}`;
    } else {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = encoded;
    }
    const response = await this.transport.send({
      method,
      url,
      path,
      headers,
      timeoutMs: this.timeoutMs,
      ...(body !== undefined ? { body } : {}),
    });
    return parseResponse<T>(response, method, path);
  }

  private async currentTicket(): Promise<TicketState> {
    const age = this.ticket ? this.now() - this.ticket.obtainedAt : Infinity;
    if (this.ticket && age < this.renewAfterMs) return this.ticket;
    this.login ??= this.obtainTicket(
      this.ticket && age < TICKET_LIFETIME_MS ? this.ticket.ticket : undefined,
    ).finally(() => {
      this.login = undefined;
    });
    return this.login;
  }

  /** Logs in (or renews with the current ticket as password, as the GUI does). */
  private async obtainTicket(renewWith: string | undefined): Promise<TicketState> {
    const auth = this.options.auth;
    if (auth.type !== 'ticket') throw new Error('ticket auth not configured');
    const attempt = async (password: string): Promise<TicketState> => {
      // Not through the per-node limiter: the request waiting for this ticket already holds a slot.
      const params = { username: auth.username, password };
      this.options.onRequest?.({ method: 'POST', path: '/access/ticket', params });
      const { data } = await this.withRetries<PveTicket>('POST', '/access/ticket', params);
      return { ticket: data.ticket, csrf: data.CSRFPreventionToken, obtainedAt: this.now() };
    };
    let state: TicketState;
    if (renewWith !== undefined) {
      try {
        state = await attempt(renewWith);
      } catch {
        state = await attempt(auth.password);
      }
    } else {
      state = await attempt(auth.password);
    }
    this.ticket = state;
    return state;
  }

  /** Drops keep-alive connections and stops the task watcher. */
  async close(): Promise<void> {
    this.watcher?.stop();
    await this.transport.close();
  }

  // ---- tasks ------------------------------------------------------------------------------------------

  /** The one watcher of this client (this cluster). */
  get tasks(): PveTaskWatcher {
    this.watcher ??= new PveTaskWatcher(
      {
        clusterTasks: () => this.clusterTasks(),
        nodeTasks: (node, params) => this.nodeTasks(node, params),
        taskLog: (upid, params) => this.taskLog(upid, params),
      },
      this.options.taskWatcher,
    );
    return this.watcher;
  }

  /** Follows a task to its end; resolves with its exit status and log tail. */
  waitForTask(upid: string, options?: WaitForTaskOptions): Promise<PveTaskResult> {
    return this.tasks.watch(upid, options);
  }

  clusterTasks(): Promise<PveTaskListItem[]> {
    return this.request('GET', '/cluster/tasks');
  }

  nodeTasks(
    node: string,
    params: Params<'GET /nodes/{node}/tasks', 'node'> = {},
  ): Promise<PveTaskListItem[]> {
    return this.request('GET', `/nodes/${enc(node)}/tasks`, params);
  }

  taskStatus(upid: string): Promise<PveTaskStatus> {
    return this.request('GET', `/nodes/${enc(nodeOfUpid(upid))}/tasks/${enc(upid)}/status`);
  }

  async taskLog(
    upid: string,
    params: { start?: number; limit?: number } = {},
  ): Promise<{ lines: PveTaskLogLine[]; total: number }> {
    const env = await this.requestEnvelope<PveTaskLogLine[]>(
      'GET',
      `/nodes/${enc(nodeOfUpid(upid))}/tasks/${enc(upid)}/log`,
      params,
    );
    return { lines: env.data, total: env.total ?? env.data.length };
  }

  stopTask(upid: string): Promise<null> {
    return this.request('DELETE', `/nodes/${enc(nodeOfUpid(upid))}/tasks/${enc(upid)}`);
  }

  // ---- cluster and nodes ------------------------------------------------------------------------------

  version(): Promise<PveVersion> {
    return this.request('GET', '/version');
  }

  /** The version of one node (nodes of a cluster may run different versions during an upgrade). */
  nodeVersion(node: string): Promise<PveVersion> {
    return this.request('GET', `/nodes/${enc(node)}/version`);
  }

  /** datacenter.cfg (`Sys.Audit` on `/`). */
  clusterOptions(): Promise<PveClusterOptions> {
    return this.request('GET', '/cluster/options');
  }

  nodes(): Promise<PveNodeListItem[]> {
    return this.request('GET', '/nodes');
  }

  nodeStatus(node: string): Promise<PveNodeStatus> {
    return this.request('GET', `/nodes/${enc(node)}/status`);
  }

  /** The node's clock and time zone (the zone its backup jobs' schedules run in). */
  nodeTime(node: string): Promise<PveNodeTime> {
    return this.request('GET', `/nodes/${enc(node)}/time`);
  }

  nodeRrdData(node: string, params: Params<'GET /nodes/{node}/rrddata', 'node'>): Promise<PveRrdPoint[]> {
    return this.request('GET', `/nodes/${enc(node)}/rrddata`, params);
  }

  clusterResources(type?: 'vm' | 'storage' | 'node' | 'sdn'): Promise<PveClusterResource[]> {
    return this.request('GET', '/cluster/resources', type ? { type } : {});
  }

  /** The lowest free VMID (or checks `vmid`); PVE returns a string when `vmid` is given: normalised here. */
  async nextId(vmid?: number): Promise<number> {
    const data = await this.request<number | string>(
      'GET',
      '/cluster/nextid',
      vmid !== undefined ? { vmid } : {},
    );
    return Number(data);
  }

  clusterStatus(): Promise<PveClusterStatusItem[]> {
    return this.request('GET', '/cluster/status');
  }

  haResources(): Promise<PveHaResource[]> {
    return this.request('GET', '/cluster/ha/resources');
  }

  nodeNetwork(
    node: string,
    params: Params<'GET /nodes/{node}/network', 'node'> = {},
  ): Promise<PveNetworkInterface[]> {
    return this.request('GET', `/nodes/${enc(node)}/network`, params);
  }

  pools(): Promise<PvePool[]> {
    return this.request('GET', '/pools');
  }

  // ---- QEMU -------------------------------------------------------------------------------------------

  listVms(node: string, params: Params<'GET /nodes/{node}/qemu', 'node'> = {}): Promise<PveVmListItem[]> {
    return this.request('GET', `/nodes/${enc(node)}/qemu`, params);
  }

  /** Create a VM, or restore one when `archive` is given. Returns a UPID (`qmcreate` / `qmrestore`). */
  createVm(node: string, params: Params<'POST /nodes/{node}/qemu', 'node'>): Promise<string> {
    return this.request('POST', `/nodes/${enc(node)}/qemu`, params);
  }

  restoreVm(
    node: string,
    params: {
      vmid: number;
      archive: string;
      storage?: string;
      force?: boolean;
      unique?: boolean;
      pool?: string;
      start?: boolean;
    },
  ): Promise<string> {
    return this.request('POST', `/nodes/${enc(node)}/qemu`, params);
  }

  deleteVm(
    node: string,
    vmid: number,
    params: Params<'DELETE /nodes/{node}/qemu/{vmid}', 'node' | 'vmid'> = {},
  ): Promise<string> {
    return this.request('DELETE', vmPath(node, vmid), params);
  }

  cloneVm(
    node: string,
    vmid: number,
    params: Params<'POST /nodes/{node}/qemu/{vmid}/clone', 'node' | 'vmid'>,
  ): Promise<string> {
    return this.request('POST', `${vmPath(node, vmid)}/clone`, params);
  }

  vmConfig(
    node: string,
    vmid: number,
    params: Params<'GET /nodes/{node}/qemu/{vmid}/config', 'node' | 'vmid'> = {},
  ): Promise<PveVmConfig> {
    return this.request('GET', `${vmPath(node, vmid)}/config`, params);
  }

  /** PUT config: synchronous, returns null; errors come straight back. */
  updateVmConfig(
    node: string,
    vmid: number,
    params: Params<'PUT /nodes/{node}/qemu/{vmid}/config', 'node' | 'vmid'>,
  ): Promise<null> {
    return this.request('PUT', `${vmPath(node, vmid)}/config`, params);
  }

  /** POST config: asynchronous, returns a UPID (`qmconfig`), or null with `background_delay`. */
  updateVmConfigAsync(
    node: string,
    vmid: number,
    params: Params<'POST /nodes/{node}/qemu/{vmid}/config', 'node' | 'vmid'>,
  ): Promise<string | null> {
    return this.request('POST', `${vmPath(node, vmid)}/config`, params);
  }

  vmPending(node: string, vmid: number): Promise<PvePendingItem[]> {
    return this.request('GET', `${vmPath(node, vmid)}/pending`);
  }

  /** Returns a UPID (`resize`). `size` is `+10G` or an absolute `50G`. */
  resizeDisk(
    node: string,
    vmid: number,
    params: Params<'PUT /nodes/{node}/qemu/{vmid}/resize', 'node' | 'vmid'>,
  ): Promise<string> {
    return this.request('PUT', `${vmPath(node, vmid)}/resize`, params);
  }

  unlinkDisks(node: string, vmid: number, idlist: string, force?: boolean): Promise<null> {
    return this.request('PUT', `${vmPath(node, vmid)}/unlink`, {
      idlist,
      ...(force !== undefined ? { force } : {}),
    });
  }

  convertToTemplate(node: string, vmid: number): Promise<string> {
    return this.request('POST', `${vmPath(node, vmid)}/template`);
  }

  /** Snapshots, plus the `current` pseudo-entry PVE always lists. */
  vmSnapshots(node: string, vmid: number): Promise<PveSnapshot[]> {
    return this.request('GET', `${vmPath(node, vmid)}/snapshot`);
  }

  vmStatus(node: string, vmid: number): Promise<PveVmStatus> {
    return this.request('GET', `${vmPath(node, vmid)}/status/current`);
  }

  startVm(
    node: string,
    vmid: number,
    params: Params<'POST /nodes/{node}/qemu/{vmid}/status/start', 'node' | 'vmid'> = {},
  ): Promise<string> {
    return this.request('POST', `${vmPath(node, vmid)}/status/start`, params);
  }

  stopVm(
    node: string,
    vmid: number,
    params: Params<'POST /nodes/{node}/qemu/{vmid}/status/stop', 'node' | 'vmid'> = {},
  ): Promise<string> {
    return this.request('POST', `${vmPath(node, vmid)}/status/stop`, params);
  }

  shutdownVm(
    node: string,
    vmid: number,
    params: Params<'POST /nodes/{node}/qemu/{vmid}/status/shutdown', 'node' | 'vmid'> = {},
  ): Promise<string> {
    return this.request('POST', `${vmPath(node, vmid)}/status/shutdown`, params);
  }

  rebootVm(
    node: string,
    vmid: number,
    params: Params<'POST /nodes/{node}/qemu/{vmid}/status/reboot', 'node' | 'vmid'> = {},
  ): Promise<string> {
    return this.request('POST', `${vmPath(node, vmid)}/status/reboot`, params);
  }

  resetVm(node: string, vmid: number): Promise<string> {
    return this.request('POST', `${vmPath(node, vmid)}/status/reset`);
  }

  suspendVm(
    node: string,
    vmid: number,
    params: Params<'POST /nodes/{node}/qemu/{vmid}/status/suspend', 'node' | 'vmid'> = {},
  ): Promise<string> {
    return this.request('POST', `${vmPath(node, vmid)}/status/suspend`, params);
  }

  resumeVm(node: string, vmid: number): Promise<string> {
    return this.request('POST', `${vmPath(node, vmid)}/status/resume`);
  }

  vmRrdData(
    node: string,
    vmid: number,
    params: Params<'GET /nodes/{node}/qemu/{vmid}/rrddata', 'node' | 'vmid'>,
  ): Promise<PveRrdPoint[]> {
    return this.request('GET', `${vmPath(node, vmid)}/rrddata`, params);
  }

  async agentNetworkInterfaces(node: string, vmid: number): Promise<PveAgentNetworkInterface[]> {
    const data = await this.request<{ result: PveAgentNetworkInterface[] }>(
      'GET',
      `${vmPath(node, vmid)}/agent/network-get-interfaces`,
    );
    return data.result;
  }

  /** The guest agent's version and commands; fails like every agent call when the agent does not answer. */
  async agentInfo(node: string, vmid: number): Promise<PveAgentInfo> {
    const data = await this.request<{ result: PveAgentInfo }>('GET', `${vmPath(node, vmid)}/agent/info`);
    return data.result;
  }

  /** The guest's filesystems and their use (`guest-get-fsinfo`); fails like every agent call. */
  async agentFsInfo(node: string, vmid: number): Promise<PveAgentFilesystem[]> {
    const data = await this.request<{ result: PveAgentFilesystem[] }>(
      'GET',
      `${vmPath(node, vmid)}/agent/get-fsinfo`,
    );
    return data.result;
  }

  /** The sub-directories of a VM's API path; answers only when the VM exists on that node. */
  vmIndex(node: string, vmid: number): Promise<{ subdir: string }[]> {
    return this.request('GET', vmPath(node, vmid));
  }

  /** LXC containers of a node (only those the caller may audit). */
  listContainers(node: string): Promise<PveContainerListItem[]> {
    return this.request('GET', `/nodes/${enc(node)}/lxc`);
  }

  agentFileRead(node: string, vmid: number, file: string): Promise<PveAgentFileRead> {
    return this.request('GET', `${vmPath(node, vmid)}/agent/file-read`, { file });
  }

  // ---- storage and backups ----------------------------------------------------------------------------

  storageConfig(type?: string): Promise<PveStorageConfig[]> {
    return this.request('GET', '/storage', type !== undefined ? { type } : {});
  }

  nodeStorage(
    node: string,
    params: Params<'GET /nodes/{node}/storage', 'node'> = {},
  ): Promise<PveNodeStorage[]> {
    return this.request('GET', `/nodes/${enc(node)}/storage`, params);
  }

  storageStatus(node: string, storage: string): Promise<PveNodeStorage> {
    return this.request('GET', `/nodes/${enc(node)}/storage/${enc(storage)}/status`);
  }

  storageContent(
    node: string,
    storage: string,
    params: Params<'GET /nodes/{node}/storage/{storage}/content', 'node' | 'storage'> = {},
  ): Promise<PveStorageContentItem[]> {
    return this.request('GET', `/nodes/${enc(node)}/storage/${enc(storage)}/content`, params);
  }

  storageVolume(node: string, storage: string, volume: string): Promise<PveVolumeAttributes> {
    return this.request('GET', `/nodes/${enc(node)}/storage/${enc(storage)}/content/${enc(volume)}`);
  }

  updateStorageVolume(
    node: string,
    storage: string,
    volume: string,
    params: { notes?: string; protected?: boolean },
  ): Promise<null> {
    return this.request('PUT', `/nodes/${enc(node)}/storage/${enc(storage)}/content/${enc(volume)}`, params);
  }

  /** Returns a UPID (`imgdel`), or null when `delay` is given and the deletion finished within it. */
  deleteStorageVolume(
    node: string,
    storage: string,
    volume: string,
    params: { delay?: number } = {},
  ): Promise<string | null> {
    return this.request(
      'DELETE',
      `/nodes/${enc(node)}/storage/${enc(storage)}/content/${enc(volume)}`,
      params,
    );
  }

  /** Returns a UPID (`vzdump`), or the literal `OK` when nothing runs on this node. */
  vzdump(node: string, params: Params<'POST /nodes/{node}/vzdump', 'node'>): Promise<string> {
    return this.request('POST', `/nodes/${enc(node)}/vzdump`, params);
  }

  // ---- backup jobs (jobs.cfg, run by pvescheduler) ----------------------------------------------------

  /** Every scheduled backup job, with `next-run` (enabled ones) and `prune-backups` as an object. */
  backupJobs(): Promise<PveBackupJob[]> {
    return this.request('GET', '/cluster/backup');
  }

  backupJob(id: string): Promise<PveBackupJob> {
    return this.request('GET', `/cluster/backup/${enc(id)}`);
  }

  /** Returns null: send an `id` to know the job's id (Proxmox's GUI makes `backup-<8hex>-<4hex>`). */
  createBackupJob(params: Params<'POST /cluster/backup'>): Promise<null> {
    return this.request('POST', '/cluster/backup', params);
  }

  updateBackupJob(id: string, params: Params<'PUT /cluster/backup/{id}', 'id'>): Promise<null> {
    return this.request('PUT', `/cluster/backup/${enc(id)}`, params);
  }

  deleteBackupJob(id: string): Promise<null> {
    return this.request('DELETE', `/cluster/backup/${enc(id)}`);
  }

  /** Guests no enabled backup job selects. */
  notBackedUp(): Promise<PveNotBackedUpGuest[]> {
    return this.request('GET', '/cluster/backup-info/not-backed-up');
  }

  // ---- firewall ---------------------------------------------------------------------------------------

  firewallGroups(): Promise<PveFirewallGroup[]> {
    return this.request('GET', '/cluster/firewall/groups');
  }

  createFirewallGroup(group: string, comment?: string): Promise<null> {
    return this.request('POST', '/cluster/firewall/groups', {
      group,
      ...(comment !== undefined ? { comment } : {}),
    });
  }

  /** PVE's rename direction: `rename` is the OLD name, `group` the NEW one. */
  renameFirewallGroup(oldName: string, newName: string, comment?: string): Promise<null> {
    return this.request('POST', '/cluster/firewall/groups', {
      group: newName,
      rename: oldName,
      ...(comment !== undefined ? { comment } : {}),
    });
  }

  deleteFirewallGroup(group: string): Promise<null> {
    return this.request('DELETE', `/cluster/firewall/groups/${enc(group)}`);
  }

  firewallGroupRules(group: string): Promise<PveFirewallRule[]> {
    return this.request('GET', `/cluster/firewall/groups/${enc(group)}`);
  }

  firewallGroupRule(group: string, pos: number): Promise<PveFirewallRule> {
    return this.request('GET', `/cluster/firewall/groups/${enc(group)}/${pos}`);
  }

  /** New rules go to position 0 and are disabled unless `enable` is set. */
  createFirewallGroupRule(group: string, rule: PveFirewallRuleInput): Promise<null> {
    return this.request('POST', `/cluster/firewall/groups/${enc(group)}`, ruleParams(rule));
  }

  updateFirewallGroupRule(
    group: string,
    pos: number,
    changes: Partial<PveFirewallRuleInput> & { delete?: string },
  ): Promise<null> {
    return this.request('PUT', `/cluster/firewall/groups/${enc(group)}/${pos}`, ruleParams(changes));
  }

  /** Takes the rule out and inserts it before the rule now at `moveto` (last when beyond the end). */
  moveFirewallGroupRule(group: string, pos: number, moveto: number, digest?: string): Promise<null> {
    return this.request('PUT', `/cluster/firewall/groups/${enc(group)}/${pos}`, {
      moveto,
      ...(digest !== undefined ? { digest } : {}),
    });
  }

  deleteFirewallGroupRule(group: string, pos: number, digest?: string): Promise<null> {
    return this.request(
      'DELETE',
      `/cluster/firewall/groups/${enc(group)}/${pos}`,
      digest !== undefined ? { digest } : {},
    );
  }

  vmFirewallRules(node: string, vmid: number): Promise<PveFirewallRule[]> {
    return this.request('GET', `${vmPath(node, vmid)}/firewall/rules`);
  }

  vmFirewallRule(node: string, vmid: number, pos: number): Promise<PveFirewallRule> {
    return this.request('GET', `${vmPath(node, vmid)}/firewall/rules/${pos}`);
  }

  createVmFirewallRule(node: string, vmid: number, rule: PveFirewallRuleInput): Promise<null> {
    return this.request('POST', `${vmPath(node, vmid)}/firewall/rules`, ruleParams(rule));
  }

  updateVmFirewallRule(
    node: string,
    vmid: number,
    pos: number,
    changes: Partial<PveFirewallRuleInput> & { delete?: string; moveto?: number },
  ): Promise<null> {
    return this.request('PUT', `${vmPath(node, vmid)}/firewall/rules/${pos}`, ruleParams(changes));
  }

  deleteVmFirewallRule(node: string, vmid: number, pos: number, digest?: string): Promise<null> {
    return this.request(
      'DELETE',
      `${vmPath(node, vmid)}/firewall/rules/${pos}`,
      digest !== undefined ? { digest } : {},
    );
  }

  vmFirewallOptions(node: string, vmid: number): Promise<PveVmFirewallOptions> {
    return this.request('GET', `${vmPath(node, vmid)}/firewall/options`);
  }

  updateVmFirewallOptions(
    node: string,
    vmid: number,
    params: Params<'PUT /nodes/{node}/qemu/{vmid}/firewall/options', 'node' | 'vmid'>,
  ): Promise<null> {
    return this.request('PUT', `${vmPath(node, vmid)}/firewall/options`, params);
  }

  /** The cluster's own rules (cluster.fw); Proxdeck does not change them, tools and tests may. */
  clusterFirewallRules(): Promise<PveFirewallRule[]> {
    return this.request('GET', '/cluster/firewall/rules');
  }

  clusterFirewallRule(pos: number): Promise<PveFirewallRule> {
    return this.request('GET', `/cluster/firewall/rules/${pos}`);
  }

  createClusterFirewallRule(rule: PveFirewallRuleInput): Promise<null> {
    return this.request('POST', '/cluster/firewall/rules', ruleParams(rule));
  }

  updateClusterFirewallRule(
    pos: number,
    changes: Partial<PveFirewallRuleInput> & { delete?: string; moveto?: number },
  ): Promise<null> {
    return this.request('PUT', `/cluster/firewall/rules/${pos}`, ruleParams(changes));
  }

  deleteClusterFirewallRule(pos: number, digest?: string): Promise<null> {
    return this.request('DELETE', `/cluster/firewall/rules/${pos}`, digest !== undefined ? { digest } : {});
  }

  clusterFirewallOptions(): Promise<Record<string, string | number>> {
    return this.request('GET', '/cluster/firewall/options');
  }

  updateClusterFirewallOptions(params: Params<'PUT /cluster/firewall/options'>): Promise<null> {
    return this.request('PUT', '/cluster/firewall/options', params);
  }

  firewallAlias(name: string): Promise<PveFirewallAlias> {
    return this.request('GET', `/cluster/firewall/aliases/${enc(name)}`);
  }

  firewallAliases(): Promise<PveFirewallAlias[]> {
    return this.request('GET', '/cluster/firewall/aliases');
  }

  createFirewallAlias(params: Params<'POST /cluster/firewall/aliases'>): Promise<null> {
    return this.request('POST', '/cluster/firewall/aliases', params);
  }

  /** `rename` is the NEW name here (Aliases.pm), unlike groups and IP sets. */
  updateFirewallAlias(
    name: string,
    params: Params<'PUT /cluster/firewall/aliases/{name}', 'name'>,
  ): Promise<null> {
    return this.request('PUT', `/cluster/firewall/aliases/${enc(name)}`, params);
  }

  deleteFirewallAlias(name: string, digest?: string): Promise<null> {
    return this.request(
      'DELETE',
      `/cluster/firewall/aliases/${enc(name)}`,
      digest !== undefined ? { digest } : {},
    );
  }

  firewallIpsets(): Promise<PveFirewallIpset[]> {
    return this.request('GET', '/cluster/firewall/ipset');
  }

  createFirewallIpset(name: string, comment?: string): Promise<null> {
    return this.request('POST', '/cluster/firewall/ipset', {
      name,
      ...(comment !== undefined ? { comment } : {}),
    });
  }

  /** Fails with `IPSet '<name>' is not empty` while it holds entries, unless `force`. */
  deleteFirewallIpset(name: string, force = false): Promise<null> {
    return this.request('DELETE', `/cluster/firewall/ipset/${enc(name)}`, force ? { force: 1 } : {});
  }

  firewallIpsetEntries(name: string): Promise<PveFirewallIpsetEntry[]> {
    return this.request('GET', `/cluster/firewall/ipset/${enc(name)}`);
  }

  addFirewallIpsetEntry(
    name: string,
    params: Params<'POST /cluster/firewall/ipset/{name}', 'name'>,
  ): Promise<null> {
    return this.request('POST', `/cluster/firewall/ipset/${enc(name)}`, params);
  }

  firewallIpsetEntry(name: string, cidr: string): Promise<PveFirewallIpsetEntry> {
    return this.request('GET', `/cluster/firewall/ipset/${enc(name)}/${enc(cidr)}`);
  }

  updateFirewallIpsetEntry(
    name: string,
    cidr: string,
    params: Params<'PUT /cluster/firewall/ipset/{name}/{cidr}', 'name' | 'cidr'>,
  ): Promise<null> {
    return this.request('PUT', `/cluster/firewall/ipset/${enc(name)}/${enc(cidr)}`, params);
  }

  deleteFirewallIpsetEntry(name: string, cidr: string, digest?: string): Promise<null> {
    return this.request(
      'DELETE',
      `/cluster/firewall/ipset/${enc(name)}/${enc(cidr)}`,
      digest !== undefined ? { digest } : {},
    );
  }

  // ---- access -----------------------------------------------------------------------------------------

  /** Logs in explicitly (ticket auth does this on demand) and returns PVE's ticket answer. */
  createTicket(username: string, password: string): Promise<PveTicket> {
    return this.request('POST', '/access/ticket', { username, password });
  }

  permissions(params: Params<'GET /access/permissions'> = {}): Promise<PvePermissions> {
    return this.request('GET', '/access/permissions', params);
  }

  users(params: Params<'GET /access/users'> = {}): Promise<PveUserListItem[]> {
    return this.request('GET', '/access/users', params);
  }

  user(userid: string): Promise<PveUser> {
    return this.request('GET', `/access/users/${enc(userid)}`);
  }

  createUser(params: Params<'POST /access/users'>): Promise<null> {
    return this.request('POST', '/access/users', params);
  }

  deleteUser(userid: string): Promise<null> {
    return this.request('DELETE', `/access/users/${enc(userid)}`);
  }

  userTokens(userid: string): Promise<PveTokenListItem[]> {
    return this.request('GET', `/access/users/${enc(userid)}/token`);
  }

  userToken(userid: string, tokenid: string): Promise<PveTokenInfo> {
    return this.request('GET', `/access/users/${enc(userid)}/token/${enc(tokenid)}`);
  }

  /** Creates an API token (privilege-separated unless `privsep: 0`); the answer holds its secret, once. */
  createUserToken(
    userid: string,
    tokenid: string,
    params: Params<'POST /access/users/{userid}/token/{tokenid}', 'userid' | 'tokenid'> = {},
  ): Promise<PveCreatedToken> {
    return this.request('POST', `/access/users/${enc(userid)}/token/${enc(tokenid)}`, params);
  }

  deleteUserToken(userid: string, tokenid: string): Promise<null> {
    return this.request('DELETE', `/access/users/${enc(userid)}/token/${enc(tokenid)}`);
  }

  groups(): Promise<PveGroup[]> {
    return this.request('GET', '/access/groups');
  }

  createGroup(groupid: string, comment?: string): Promise<null> {
    return this.request('POST', '/access/groups', comment !== undefined ? { groupid, comment } : { groupid });
  }

  /** The ACL entries on paths where the caller may modify permissions. */
  acl(): Promise<PveAclEntry[]> {
    return this.request('GET', '/access/acl');
  }

  /** Grants (or with `delete: 1` revokes) roles on a path to users, groups or tokens. */
  updateAcl(params: Params<'PUT /access/acl'>): Promise<null> {
    return this.request('PUT', '/access/acl', params);
  }

  roles(): Promise<PveRole[]> {
    return this.request('GET', '/access/roles');
  }

  /** A role's privileges, as `{ "VM.Audit": 1, … }`. */
  role(roleid: string): Promise<Record<string, 1>> {
    return this.request('GET', `/access/roles/${enc(roleid)}`);
  }

  createRole(roleid: string, privs: readonly string[]): Promise<null> {
    return this.request('POST', '/access/roles', { roleid, privs: privs.join(',') });
  }

  updateRole(roleid: string, privs: readonly string[], append = false): Promise<null> {
    return this.request('PUT', `/access/roles/${enc(roleid)}`, {
      privs: privs.join(','),
      ...(append ? { append: 1 as const } : {}),
    });
  }

  deleteRole(roleid: string): Promise<null> {
    return this.request('DELETE', `/access/roles/${enc(roleid)}`);
  }
}

// ---- helpers ------------------------------------------------------------------------------------------

function enc(segment: string): string {
  return encodeURIComponent(segment);
}

function vmPath(node: string, vmid: number): string {
  return `/nodes/${enc(node)}/qemu/${vmid}`;
}

function nodeOfUpid(upid: string): string {
  const parsed = parseUpid(upid);
  if (!parsed) throw new Error(`not a UPID: ${upid}`);
  return parsed.node;
}

function ruleParams(
  rule: Partial<PveFirewallRuleInput> & { delete?: string; moveto?: number },
): PveRequestParams {
  return { ...rule };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Retry only what cannot apply a change twice. */
export function isSafeToRetry(error: unknown, method: PveMethod): boolean {
  if (error instanceof PveTransportError) {
    if (isTlsErrorCode(error.code)) return false;
    return error.beforeSend || method === 'GET';
  }
  if (error instanceof PveTimeoutError) return method === 'GET';
  if (error instanceof PveApiError) {
    if (isLockTimeoutMessage(error.message)) return true; // the flock was never obtained: nothing applied
    return method === 'GET' && [502, 503, 504, 595, 596].includes(error.status);
  }
  return false;
}

function parseResponse<T>(response: PveHttpResponse, method: string, path: string): Envelope<T> {
  let body: unknown;
  if (response.body !== '') {
    try {
      body = JSON.parse(response.body) as unknown;
    } catch {
      body = undefined;
    }
  }
  const obj = (typeof body === 'object' && body !== null ? body : {}) as {
    data?: unknown;
    message?: unknown;
    errors?: unknown;
    total?: unknown;
  };
  if (response.status >= 200 && response.status < 300) {
    return { data: obj.data as T, ...(typeof obj.total === 'number' ? { total: obj.total } : {}) };
  }
  const bodyMessage = typeof obj.message === 'string' ? obj.message.replace(/\n+$/, '') : '';
  // The reason phrase holds the first line; the body's `message` (PVE ≥ 8.3) may hold more.
  const reason = response.statusText;
  const message =
    bodyMessage.length > reason.length && bodyMessage.startsWith(reason)
      ? bodyMessage
      : reason || bodyMessage;
  const errors: Record<string, string> = {};
  if (typeof obj.errors === 'object' && obj.errors !== null) {
    for (const [k, v] of Object.entries(obj.errors as Record<string, unknown>)) {
      errors[k] = typeof v === 'string' ? v.replace(/\n+$/, '') : JSON.stringify(v);
    }
  }
  return throwApiError(
    new PveApiError(response.status, message || `HTTP ${response.status}`, errors, method, path),
  );
}

function throwApiError(error: PveApiError): never {
  throw error;
}
