/** The simulated cluster's data. Everything here is plain JSON, so the state can be saved to a file. */
import type { ParsedUpid, PveFirewallRuleFields } from '@proxdeck/pve-client';

export interface SimNode {
  name: string;
  online: boolean;
  maxcpu: number;
  maxmem: number;
  maxdisk: number;
  bootedAt: number;
  bridges: string[];
  cpuModel: string;
}

export type StorageType = 'dir' | 'lvmthin' | 'nfs' | 'rbd' | 'zfspool';

export interface SimStorage {
  storage: string;
  type: StorageType;
  content: string[];
  shared: boolean;
  /** Undefined = every node. */
  nodes?: string[];
  path?: string;
  /** Bytes per node (local) or for the cluster (shared). */
  total: number;
  extra: Record<string, string>;
}

export type VolumeContent = 'images' | 'backup' | 'iso' | 'vztmpl';

export interface SimVolume {
  volid: string;
  storage: string;
  /** The node holding a local storage's volume; undefined on shared storage. */
  node?: string;
  content: VolumeContent;
  format: string;
  size: number;
  vmid?: number;
  ctime: number;
  notes?: string;
  protected?: boolean;
  /** For backups: the config of the VM at backup time (what a restore gets back). */
  backupOf?: { config: Record<string, string>; node: string };
}

export interface SimFirewallRule extends PveFirewallRuleFields {
  enable?: number;
}

export interface SimFirewallGroup {
  group: string;
  comment?: string;
  rules: SimFirewallRule[];
}

/** A cluster firewall alias (cluster.fw `[ALIASES]`); names are case-insensitive. */
export interface SimFirewallAlias {
  name: string;
  cidr: string;
  comment?: string;
}

export interface SimFirewallIpsetEntry {
  cidr: string;
  nomatch?: boolean;
  comment?: string;
}

/** A cluster IP set (cluster.fw `[IPSET name]`). */
export interface SimFirewallIpset {
  name: string;
  comment?: string;
  entries: SimFirewallIpsetEntry[];
}

export interface SimVm {
  vmid: number;
  node: string;
  /** The active config, as stored in the `.conf` file (all values as text). */
  config: Record<string, string>;
  /** The `[PENDING]` section. */
  pending: Record<string, string>;
  pendingDelete: string[];
  /** When the VM was created (epoch s): RRD has no data before it. */
  createdAt?: number;
  running: boolean;
  paused: boolean;
  startedAt?: number;
  pid?: number;
  /** `ipconfig0` as the cloud-init drive had it at the last boot: what the guest actually configured. */
  bootIpconfig0?: string;
  /** Guest agent answers from this time on (epoch ms; it needs a boot first). */
  agentReadyAt?: number;
  firewallRules: SimFirewallRule[];
  firewallOptions: Record<string, string>;
  /** Files readable through the guest agent. */
  guestFiles: Record<string, string>;
  /**
   * The share (0-1) of the root filesystem the guest uses, as the agent's `get-fsinfo` reports it; unset: a
   * steady figure from the seed (20-50 %). Tests set it to fill a disk.
   */
  guestRootUsed?: number;
  /**
   * A CPU load (0-1) the guest is under, as a stress run would put it: its CPU figure (status, and the next
   * broadcast to /cluster/resources) until unset; unset: a smooth curve from the seed (2-62 %).
   */
  cpuLoad?: number;
}

/** A task: the fields of its UPID, and its state. */
export interface SimTask extends ParsedUpid {
  status: 'running' | 'stopped';
  exitstatus?: string;
  endtime?: number;
  log: string[];
}

/** user.cfg: users (with their API tokens and group memberships), groups, custom roles and the ACL. */
export interface SimAccessData {
  users: Record<string, SimAccessUser>;
  groups: Record<string, { comment?: string }>;
  /** Custom roles only; the built-in ones are fixed (access/privileges.ts). */
  roles: Record<string, string[]>;
  acl: SimAclEntry[];
}

export interface SimAccessUser {
  enable: 0 | 1;
  /** Epoch seconds; 0 = never. */
  expire: number;
  /** SHA-256 of `userid:password`; undefined = no password login. */
  passwordDigest?: string;
  comment?: string;
  email?: string;
  firstname?: string;
  lastname?: string;
  groups: string[];
  tokens: Record<string, SimAccessToken>;
}

export interface SimAccessToken {
  secret: string;
  privsep: 0 | 1;
  expire: number;
  comment?: string;
}

export interface SimAclEntry {
  path: string;
  type: 'user' | 'group' | 'token';
  /** `user@realm`, a group name, or `user@realm!tokenid`. */
  ugid: string;
  roleid: string;
  propagate: 0 | 1;
}

/** datacenter.cfg as PVE parses it (property strings become objects of strings). */
export interface SimDatacenterOptions {
  keyboard?: string;
  console?: string;
  'next-id'?: { lower?: string; upper?: string };
  [option: string]: unknown;
}

/** A scheduled backup job (jobs.cfg `vzdump: <id>`): its vzdump options as text, and pvescheduler's state. */
export interface SimBackupJob {
  id: string;
  schedule: string;
  /** Every other key of the section (`enabled`, `storage`, `vmid`, `prune-backups`, …). */
  options: Record<string, string>;
  /** The last run, or the creation (epoch s): the next run is the first scheduled time after it. */
  lastRun: number;
}

export interface SimStateData {
  version: 1;
  clusterName: string;
  nodes: SimNode[];
  storages: SimStorage[];
  volumes: SimVolume[];
  vms: SimVm[];
  firewallGroups: SimFirewallGroup[];
  /** cluster.fw's aliases, IP sets, own rules and options; absent in older state files (= none). */
  firewallAliases?: SimFirewallAlias[];
  firewallIpsets?: SimFirewallIpset[];
  firewallClusterRules?: SimFirewallRule[];
  firewallClusterOptions?: Record<string, string>;
  /** user.cfg; absent in state files written before it was kept (then built from the start options). */
  access?: SimAccessData;
  /** datacenter.cfg; absent = a fresh installation's (DEFAULT_DATACENTER_OPTIONS). */
  datacenter?: SimDatacenterOptions;
  /** jobs.cfg's backup jobs; absent in older state files (= none). */
  backupJobs?: SimBackupJob[];
  tasks: SimTask[];
  nextPid: number;
}
