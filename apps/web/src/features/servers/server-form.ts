/**
 * The creation wizard's values, their checks and the request they make. The checks mirror the API's
 * (apps/api/src/modules/servers/server-create.dto.ts): same ranges, same messages (as `servers.rules.*` keys),
 * and errors are keyed by the API's field paths (`disks.0.size_gb`, `network_devices.1.ip_address`) so that the
 * API's 400 `details.fields` land on the same inputs.
 */
import type { BulkCreateServersBody, CreateServerBody } from './servers.queries';

export const OS_TYPES = ['rocky', 'centos', 'ubuntu', 'debian'] as const;
export type OsType = (typeof OS_TYPES)[number];
export const MAX_DISKS = 8;
export const MAX_NICS = 4;

export type DiskType = 'hdd' | 'ssd';

export interface DiskValues {
  size_gb: string;
  disk_type: DiskType;
  /** A datastore id, or "auto". */
  datastore_id: string;
}

export interface NicValues {
  bridge: string;
  ip_mode: 'auto' | 'fixed';
  ip_address: string;
}

export interface WizardValues {
  mode: 'single' | 'batch';
  name: string;
  base_name: string;
  count: string;
  start_index: string;
  os_type: OsType;
  cpu: string;
  memory: string;
  disks: DiskValues[];
  network_devices: NicValues[];
  /** A node name, or "" for the one with the most free memory. */
  node: string;
  firewall_group: string;
  vm_username: string;
  vm_password: string;
  /** One OpenSSH key per line. */
  ssh_keys: string;
  /** Separated by spaces or commas. */
  tags: string;
  description: string;
}

export const DEFAULT_DISK: DiskValues = { size_gb: '20', disk_type: 'hdd', datastore_id: 'auto' };
export const DEFAULT_NIC: NicValues = { bridge: 'vmbr0', ip_mode: 'auto', ip_address: '' };

export const DEFAULT_VALUES: WizardValues = {
  mode: 'single',
  name: '',
  base_name: '',
  count: '3',
  start_index: '1',
  os_type: 'rocky',
  cpu: '2',
  memory: '2048',
  disks: [DEFAULT_DISK],
  network_devices: [DEFAULT_NIC],
  node: '',
  firewall_group: '',
  vm_username: '',
  vm_password: '',
  ssh_keys: '',
  tags: '',
  description: '',
};

/** The key of a rule's message under `servers.rules`. */
export type RuleKey =
  | 'required'
  | 'name'
  | 'baseName'
  | 'count'
  | 'startIndex'
  | 'cpu'
  | 'memory'
  | 'diskSize'
  | 'bridge'
  | 'ip'
  | 'firewallGroup'
  | 'username'
  | 'password'
  | 'sshKeys'
  | 'tags';

const SERVER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const BASE_NAME = /^[a-z0-9]([a-z0-9-]{0,55}[a-z0-9])?$/;
const BRIDGE = /^[A-Za-z][A-Za-z0-9_.-]{0,15}$/;
const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const FIREWALL_GROUP = /^[A-Za-z][A-Za-z0-9\-_]{1,17}$/;
const USERNAME = /^[a-z_][a-z0-9_-]{0,31}$/;
const SSH_KEY =
  /^(ssh-(rsa|ed25519|dss)|ecdsa-sha2-nistp(256|384|521)|sk-[a-z0-9@.-]+) [A-Za-z0-9+/=]+( [^\r\n]{0,200})?$/;
const TAG = /^[a-z0-9_][a-z0-9_+.-]{0,63}$/;

function wholeIn(text: string, min: number, max: number): boolean {
  if (!/^\d+$/.test(text.trim())) return false;
  const value = Number(text);
  return value >= min && value <= max;
}

export function sshKeysOf(values: WizardValues): string[] {
  return values.ssh_keys
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

export function tagsOf(values: WizardValues): string[] {
  return values.tags
    .split(/[\s,]+/)
    .map((tag) => tag.trim())
    .filter(Boolean);
}

/** Names `base-01..base-NN` (at least two digits) from `start`, as the API makes them. */
export function patternNames(base: string, count: number, start: number): string[] {
  const width = Math.max(2, String(start + count - 1).length);
  return Array.from({ length: count }, (_, index) => `${base}-${String(start + index).padStart(width, '0')}`);
}

/** The batch's names when its fields are valid, else none. */
export function batchNames(values: WizardValues): string[] {
  if (
    !BASE_NAME.test(values.base_name) ||
    !wholeIn(values.count, 1, 100) ||
    !wholeIn(values.start_index, 0, 9999)
  )
    return [];
  return patternNames(values.base_name, Number(values.count), Number(values.start_index));
}

/** Every fault of the values, by the API's field path. */
export function validateWizard(values: WizardValues): Record<string, RuleKey> {
  const faults: Record<string, RuleKey> = {};
  if (values.mode === 'single') {
    if (!values.name) faults.name = 'required';
    else if (!SERVER_NAME.test(values.name)) faults.name = 'name';
  } else {
    if (!values.base_name) faults.base_name = 'required';
    else if (!BASE_NAME.test(values.base_name)) faults.base_name = 'baseName';
    if (!wholeIn(values.count, 1, 100)) faults.count = 'count';
    if (!wholeIn(values.start_index, 0, 9999)) faults.start_index = 'startIndex';
  }
  if (!wholeIn(values.cpu, 1, 128)) faults.cpu = 'cpu';
  if (!wholeIn(values.memory, 512, 1_048_576)) faults.memory = 'memory';
  values.disks.forEach((disk, index) => {
    if (!wholeIn(disk.size_gb, 1, 65_536)) faults[`disks.${String(index)}.size_gb`] = 'diskSize';
  });
  values.network_devices.forEach((nic, index) => {
    if (!BRIDGE.test(nic.bridge)) faults[`network_devices.${String(index)}.bridge`] = 'bridge';
    if (nic.ip_mode === 'fixed' && !IPV4.test(nic.ip_address.trim()))
      faults[`network_devices.${String(index)}.ip_address`] = 'ip';
  });
  if (values.firewall_group && !FIREWALL_GROUP.test(values.firewall_group))
    faults.firewall_group = 'firewallGroup';
  if (values.vm_username && !USERNAME.test(values.vm_username)) faults.vm_username = 'username';
  if (values.vm_password && (values.vm_password.length < 8 || values.vm_password.length > 128))
    faults.vm_password = 'password';
  if (!sshKeysOf(values).every((key) => SSH_KEY.test(key))) faults.ssh_keys = 'sshKeys';
  if (!tagsOf(values).every((tag) => TAG.test(tag))) faults.tags = 'tags';
  return faults;
}

/** The fields every creation shares, as the API takes them (empty optional fields left out). */
function commonBody(values: WizardValues): Omit<CreateServerBody, 'name'> {
  const sshKeys = sshKeysOf(values);
  const tags = tagsOf(values);
  return {
    os_type: values.os_type,
    cpu: Number(values.cpu),
    memory: Number(values.memory),
    disks: values.disks.map((disk) => ({
      size_gb: Number(disk.size_gb),
      disk_type: disk.disk_type,
      datastore_id: disk.datastore_id || 'auto',
    })),
    network_devices: values.network_devices.map((nic) => ({
      bridge: nic.bridge,
      ip_address: nic.ip_mode === 'fixed' ? nic.ip_address.trim() : 'auto',
    })),
    ...(values.node ? { node: values.node } : {}),
    ...(values.firewall_group ? { firewall_group: values.firewall_group } : {}),
    ...(values.vm_username ? { vm_username: values.vm_username } : {}),
    ...(values.vm_password ? { vm_password: values.vm_password } : {}),
    ...(sshKeys.length > 0 ? { ssh_keys: sshKeys } : {}),
    ...(tags.length > 0 ? { tags } : {}),
    ...(values.description ? { description: values.description } : {}),
  };
}

/** POST /api/servers for one server, POST /api/create_servers_bulk with the pattern for a batch. */
export function creationRequest(
  values: WizardValues,
): { single: CreateServerBody } | { bulk: BulkCreateServersBody } {
  if (values.mode === 'single') return { single: { name: values.name, ...commonBody(values) } };
  return {
    bulk: {
      base_name: values.base_name,
      count: Number(values.count),
      start_index: Number(values.start_index),
      ...commonBody(values),
    },
  };
}
