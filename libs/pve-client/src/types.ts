/**
 * Response shapes of the PVE 9.2 endpoints Proxdeck uses, as the real server sends them
 * (docs/pve-semantics.md §7): booleans are 0/1 integers, some numbers come back as strings.
 */
import type { ParsedUpid } from './upid';

export type PveFlag = 0 | 1;

export interface PveVersion {
  version: string;
  release: string;
  repoid: string;
  console?: string;
}

/** What `GET /nodes` and `GET /cluster/resources` both say of a node. */
interface PveNodeUsage {
  node: string;
  status: 'online' | 'offline' | 'unknown';
  cpu?: number;
  maxcpu?: number;
  mem?: number;
  maxmem?: number;
  disk?: number;
  maxdisk?: number;
  uptime?: number;
  level?: string;
}

export interface PveNodeListItem extends PveNodeUsage {
  id: string;
  type: 'node';
  ssl_fingerprint?: string;
}

/** `GET /nodes/{node}/time`: the node's clock and the time zone its local time (and pvescheduler) uses. */
export interface PveNodeTime {
  /** An IANA zone, e.g. `Europe/Vienna`; `UTC` on many hosts. */
  timezone: string;
  /** Seconds since the epoch, UTC. */
  time: number;
  /** The local wall clock as if it were UTC (seconds). */
  localtime: number;
}

export interface PveNodeStatus {
  cpu: number;
  wait: number;
  /** Three strings, as PVE returns them. */
  loadavg: [string, string, string];
  uptime: number;
  memory: { total: number; used: number; free: number; available: number };
  swap: { total: number; used: number; free: number };
  rootfs: { total: number; used: number; avail: number; free: number };
  ksm: { shared: number };
  cpuinfo: {
    model: string;
    cores: number;
    cpus: number;
    sockets: number;
    mhz: string;
    hvm: string;
    flags: string;
    user_hz: number;
  };
  kversion: string;
  'current-kernel': { sysname: string; release: string; version: string; machine: string };
  'boot-info': { mode: 'efi' | 'legacy-bios'; secureboot?: PveFlag };
  pveversion: string;
}

export type PveRrdTimeframe = 'hour' | 'day' | 'week' | 'month' | 'year' | 'decade';
export type PveRrdPoint = { time: number } & Partial<Record<string, number>>;

interface PveResourceBase {
  id: string;
  node?: string;
  status?: string;
}
export interface PveVmResource extends PveResourceBase {
  type: 'qemu' | 'lxc';
  vmid: number;
  node: string;
  status: 'running' | 'stopped' | 'unknown';
  name?: string;
  template: PveFlag;
  uptime: number;
  maxcpu: number;
  cpu: number;
  maxmem: number;
  mem: number;
  maxdisk: number;
  disk: number;
  netin: number;
  netout: number;
  diskread: number;
  diskwrite: number;
  memhost?: number;
  tags?: string;
  lock?: string;
  pool?: string;
  hastate?: string;
}
export interface PveStorageResource extends PveResourceBase {
  type: 'storage';
  storage: string;
  node: string;
  plugintype: string;
  status: 'available' | 'unknown';
  shared: PveFlag;
  content: string;
  disk: number;
  maxdisk: number;
}
export interface PveNodeResource extends PveNodeUsage {
  id: string;
  type: 'node';
  'cgroup-mode'?: number;
  'host-arch'?: string;
}
/** Entries of a `type` the client does not model (`pool`, `sdn`, `network`…) are passed through. */
export interface PveOtherResource extends PveResourceBase {
  type: string;
  [key: string]: unknown;
}
export type PveClusterResource = PveVmResource | PveStorageResource | PveNodeResource | PveOtherResource;

export interface PveTaskListItem extends ParsedUpid {
  tokenid?: string;
  endtime?: number;
  /** Exit status for finished tasks; `RUNNING` (node lists) or absent (cluster list) while running. */
  status?: string;
  saved?: string;
}

export interface PveTaskStatus extends ParsedUpid {
  tokenid?: string;
  status: 'running' | 'stopped';
  exitstatus?: string;
}

export interface PveTaskLogLine {
  n: number;
  t: string;
}

export interface PveVmListItem {
  vmid: number;
  name?: string;
  status: 'running' | 'stopped';
  qmpstatus?: string;
  cpus: number;
  cpu: number;
  maxmem: number;
  mem: number;
  maxdisk: number;
  disk: number;
  uptime: number;
  netin: number;
  netout: number;
  diskread: number;
  diskwrite: number;
  pid?: number;
  lock?: string;
  tags?: string;
  template?: PveFlag;
}

export interface PveVmStatus extends PveVmListItem {
  qmpstatus: string;
  ha: { managed: PveFlag; [key: string]: unknown };
  agent?: PveFlag;
  name: string;
}

/** A VM config: integer options as numbers, property strings (memory, netN, scsiN…) as strings. */
export type PveVmConfig = { digest: string } & Record<string, string | number | undefined>;

export interface PvePendingItem {
  key: string;
  value?: string | number;
  pending?: string | number;
  delete?: 1 | 2;
}

export interface PveAgentNetworkInterface {
  name: string;
  'hardware-address'?: string;
  'ip-addresses'?: { 'ip-address': string; 'ip-address-type': 'ipv4' | 'ipv6'; prefix: number }[];
  statistics?: Record<string, number>;
}

export interface PveAgentInfo {
  version: string;
  supported_commands: { name: string; enabled: boolean; 'success-response': boolean }[];
}

/** A filesystem as the guest agent's `guest-get-fsinfo` reports it (sizes are missing on some guests). */
export interface PveAgentFilesystem {
  name: string;
  mountpoint: string;
  type: string;
  'total-bytes'?: number;
  'used-bytes'?: number;
  disk?: Record<string, unknown>[];
}

/** An item of `GET /nodes/{node}/lxc`. */
export interface PveContainerListItem {
  vmid: number;
  status: 'running' | 'stopped';
  name?: string;
  lock?: string;
  tags?: string;
  maxmem?: number;
  maxdisk?: number;
  cpus?: number;
  uptime?: number;
}

/**
 * `GET /cluster/options`: datacenter.cfg (property strings come back as objects); without `Sys.Audit` on `/`
 * only `console` and `tag-style`.
 */
export interface PveClusterOptions {
  'allowed-tags': string[];
  keyboard?: string;
  console?: string;
  'next-id'?: { lower?: string; upper?: string };
  [option: string]: unknown;
}

export interface PveAgentFileRead {
  content: string;
  truncated?: boolean;
}

export interface PveStorageConfig {
  storage: string;
  type: string;
  content: string;
  shared?: PveFlag;
  disable?: PveFlag;
  path?: string;
  nodes?: string;
  'prune-backups'?: string;
  digest: string;
  [key: string]: unknown;
}

export interface PveNodeStorage {
  storage: string;
  type: string;
  content: string;
  active: PveFlag;
  enabled: PveFlag;
  shared: PveFlag;
  total: number;
  used: number;
  avail: number;
  used_fraction?: number;
}

export interface PveStorageContentItem {
  volid: string;
  content: string;
  format: string;
  size: number;
  ctime?: number;
  vmid?: number;
  subtype?: 'qemu' | 'lxc';
  notes?: string;
  protected?: PveFlag;
  used?: number;
  parent?: string;
}

export interface PveVolumeAttributes {
  path: string;
  size: number;
  used: number;
  format: string;
  notes?: string;
  protected?: PveFlag;
}

export interface PveFirewallGroup {
  group: string;
  comment?: string;
  digest: string;
}

/** What a firewall rule matches and does, shared by rules as read, rules as written and the simulator. */
export interface PveFirewallRuleFields {
  type: 'in' | 'out' | 'forward' | 'group';
  action: string;
  macro?: string;
  proto?: string;
  dport?: string;
  sport?: string;
  source?: string;
  dest?: string;
  iface?: string;
  log?: string;
  'icmp-type'?: string;
  comment?: string;
}

export interface PveFirewallRule extends PveFirewallRuleFields {
  pos: number;
  enable?: PveFlag;
  ipversion?: number;
  digest: string;
}

export interface PveFirewallRuleInput extends PveFirewallRuleFields {
  enable?: boolean | PveFlag;
  digest?: string;
}

export interface PveFirewallAlias {
  name: string;
  cidr: string;
  comment?: string;
  ipversion?: number;
  digest: string;
}

export interface PveFirewallIpset {
  name: string;
  comment?: string;
  digest: string;
}

export interface PveFirewallIpsetEntry {
  cidr: string;
  nomatch?: PveFlag | boolean;
  comment?: string;
  digest: string;
}

export type PveVmFirewallOptions = Partial<{
  enable: PveFlag;
  policy_in: 'ACCEPT' | 'REJECT' | 'DROP';
  policy_out: 'ACCEPT' | 'REJECT' | 'DROP';
  dhcp: PveFlag;
  macfilter: PveFlag;
  ipfilter: PveFlag;
  ndp: PveFlag;
  radv: PveFlag;
  log_level_in: string;
  log_level_out: string;
}> & { digest: string };

export interface PveTicket {
  username: string;
  ticket: string;
  CSRFPreventionToken: string;
  cap?: Record<string, Record<string, 1>>;
  clustername?: string;
}

/** `{ path: { privilege: 1 } }` */
/** Privileges by path; 1 = granted by a propagating ACL entry. */
export type PvePermissions = Record<string, Record<string, 0 | 1>>;

export interface PveTokenInfo {
  privsep: 0 | 1;
  /** Epoch seconds; 0 = never. */
  expire: number;
  comment?: string;
}

export interface PveTokenListItem extends PveTokenInfo {
  tokenid: string;
}

export interface PveCreatedToken {
  'full-tokenid': string;
  info: PveTokenInfo;
  /** The secret: shown only in this answer. */
  value: string;
}

export interface PveUserListItem {
  userid: string;
  enable: 0 | 1;
  expire: number;
  firstname?: string;
  lastname?: string;
  email?: string;
  comment?: string;
  /** With `full=1`: comma-separated. */
  groups?: string;
  tokens?: PveTokenListItem[];
}

export interface PveUser extends Omit<PveUserListItem, 'userid' | 'groups' | 'tokens'> {
  groups: string[];
  tokens: Record<string, PveTokenInfo>;
}

export interface PveGroup {
  groupid: string;
  comment?: string;
  /** Members, comma-separated. */
  users: string;
}

export interface PveAclEntry {
  path: string;
  type: 'user' | 'group' | 'token';
  ugid: string;
  roleid: string;
  propagate: 0 | 1;
}

export interface PveRole {
  roleid: string;
  /** Comma-separated. */
  privs: string;
  /** Built-in roles. */
  special?: 1;
}

export interface PveClusterStatusItem {
  type: 'cluster' | 'node';
  id: string;
  name: string;
  /** cluster entry */
  nodes?: number;
  quorate?: PveFlag;
  version?: number;
  /** node entries */
  ip?: string;
  level?: string;
  local?: PveFlag;
  nodeid?: number;
  online?: PveFlag;
}

export interface PveNetworkInterface {
  iface: string;
  type: string;
  active?: PveFlag;
  autostart?: PveFlag;
  method?: string;
  families?: string[];
  address?: string;
  netmask?: string;
  cidr?: string;
  gateway?: string;
  bridge_ports?: string;
  bridge_stp?: string;
  bridge_fd?: string;
  bridge_vlan_aware?: PveFlag;
  comments?: string;
  priority?: number;
}

export interface PvePool {
  poolid: string;
  comment?: string;
}

export interface PveSnapshot {
  name: string;
  description: string;
  parent?: string;
  snaptime?: number;
  vmstate?: PveFlag;
  running?: PveFlag;
  digest?: string;
}

export interface PveHaResource {
  sid: string;
  state?: string;
  [key: string]: unknown;
}

/** A scheduled backup job as `GET /cluster/backup` answers it. */
export interface PveBackupJob {
  id: string;
  type: 'vzdump';
  schedule: string;
  enabled?: number;
  /** Epoch seconds; enabled jobs only. */
  'next-run'?: number;
  storage?: string;
  vmid?: string;
  all?: number;
  exclude?: string;
  pool?: string;
  node?: string;
  mode?: string;
  compress?: string;
  'notes-template'?: string;
  comment?: string;
  /** An object here, a property string when sent. */
  'prune-backups'?: Partial<Record<string, number>>;
  'repeat-missed'?: number;
  protected?: number;
}

export interface PveNotBackedUpGuest {
  vmid: number;
  type: 'qemu' | 'lxc';
  name?: string;
}
