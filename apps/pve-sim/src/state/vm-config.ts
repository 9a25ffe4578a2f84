/** VM config helpers: the `.conf` text and its digest, typed GET output, disk keys, tags, property strings. */
import { createHash } from 'node:crypto';
import { findParamSchema, getEndpointSchema, type PveEndpointSchema } from '@proxdeck/pve-client';
import type { SimVm } from './model';

const CONFIG_SCHEMA: PveEndpointSchema = requireSchema('PUT /nodes/{node}/qemu/{vmid}/config');

function requireSchema(key: string): PveEndpointSchema {
  const schema = getEndpointSchema(key);
  if (!schema) throw new Error(`schema subset lacks ${key}`);
  return schema;
}

export const DISK_KEY = /^(scsi(\d|[12]\d|30)|virtio(\d|1[0-5])|sata[0-5]|ide[0-3]|efidisk0|tpmstate0)$/;
export const CONTROL_KEYS = new Set([
  'delete',
  'revert',
  'digest',
  'skiplock',
  'force',
  'background_delay',
  'node',
  'vmid',
  'import-working-storage',
]);
/** Options PVE applies at once on a running VM (default hotplug `network,disk,usb`). */
export function isHotpluggable(key: string): boolean {
  return (
    /^net\d+$/.test(key) ||
    DISK_KEY.test(key) ||
    /^usb\d+$/.test(key) ||
    /^unused\d+$/.test(key) ||
    ['name', 'description', 'onboot', 'tags', 'protection', 'lock', 'boot', 'agent'].includes(key) ||
    /^(ci|ipconfig|sshkeys|nameserver|searchdomain)/.test(key)
  );
}

/** The `.conf` file text; its SHA1 is the config `digest`. */
export function configFileText(vm: SimVm): string {
  const lines = Object.keys(vm.config)
    .sort()
    .filter((k) => k !== 'description')
    .map((k) => `${k}: ${vm.config[k] ?? ''}`);
  const description = vm.config.description;
  const head = description !== undefined ? description.split('\n').map((l) => `#${l}`) : [];
  const pendingKeys = Object.keys(vm.pending).sort();
  const pendingLines =
    pendingKeys.length > 0 || vm.pendingDelete.length > 0
      ? [
          '',
          '[PENDING]',
          ...pendingKeys.map((k) => `${k}: ${vm.pending[k] ?? ''}`),
          ...(vm.pendingDelete.length > 0 ? [`delete: ${vm.pendingDelete.join(',')}`] : []),
        ]
      : [];
  return [...head, ...lines, ...pendingLines].join('\n') + '\n';
}

export function configDigest(vm: SimVm): string {
  return createHash('sha1').update(configFileText(vm)).digest('hex');
}

/**
 * PVE returns integer and boolean options as JSON numbers, and property strings and `number`-typed options
 * as strings (QemuServer.pm parse_vm_config). The schema decides which is which.
 */
export function typedConfigValue(key: string, value: string): string | number {
  const schema = findParamSchema(CONFIG_SCHEMA, key);
  if (schema && (schema.type === 'integer' || schema.type === 'boolean') && /^-?\d+$/.test(value))
    return Number(value);
  return value;
}

export function renderConfig(vm: SimVm, currentOnly: boolean): Record<string, string | number> {
  const merged: Record<string, string> = { ...vm.config };
  if (!currentOnly) {
    Object.assign(merged, vm.pending);
    for (const key of vm.pendingDelete) Reflect.deleteProperty(merged, key);
  }
  const out: Record<string, string | number> = {};
  for (const [key, value] of Object.entries(merged)) {
    out[key] = key === 'cipassword' ? '**********' : typedConfigValue(key, value);
  }
  out.digest = configDigest(vm);
  return out;
}

/** `[{key, value?, pending?, delete?}]` of GET …/pending. */
export function renderPending(
  vm: SimVm,
): { key: string; value?: string | number; pending?: string | number; delete?: number }[] {
  const keys = new Set([...Object.keys(vm.config), ...Object.keys(vm.pending), ...vm.pendingDelete]);
  return [...keys].sort().map((key) => {
    const mask = (v: string): string | number =>
      key === 'cipassword' ? '**********' : typedConfigValue(key, v);
    const item: { key: string; value?: string | number; pending?: string | number; delete?: number } = {
      key,
    };
    const active = vm.config[key];
    const pending = vm.pending[key];
    if (active !== undefined) item.value = mask(active);
    if (pending !== undefined) item.pending = mask(pending);
    if (vm.pendingDelete.includes(key)) item.delete = 1;
    return item;
  });
}

/** Splits `key=value,…` into an ordered list (first item may be a bare value). */
export function splitPropertyString(text: string): [string | undefined, string][] {
  return text
    .split(',')
    .filter((p) => p !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq === -1 ? [undefined, part] : [part.slice(0, eq), part.slice(eq + 1)];
    });
}

export function propertyValue(text: string | undefined, key: string): string | undefined {
  if (text === undefined) return undefined;
  for (const [k, v] of splitPropertyString(text)) if (k === key) return v;
  return undefined;
}

/** The volume id of a disk value (`local-lvm:vm-100-disk-0,size=32G` → `local-lvm:vm-100-disk-0`). */
export function diskVolume(value: string): string {
  const comma = value.indexOf(',');
  return comma === -1 ? value : value.slice(0, comma);
}

export function isCdrom(value: string): boolean {
  return /(^|,)media=cdrom(,|$)/.test(value) || diskVolume(value) === 'none' || diskVolume(value) === 'cdrom';
}

/** Parses a size with binary units (`32G`, `512M`, bytes without unit) into bytes. */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)$/.exec(text);
  if (!m) return NaN;
  const unit = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[2] ?? ''] ?? 1;
  return Math.round(Number(m[1]) * unit);
}

/** How PVE writes a size into `size=`: the largest unit that divides it exactly. */
export function formatSize(bytes: number): string {
  for (const [unit, factor] of [
    ['T', 1024 ** 4],
    ['G', 1024 ** 3],
    ['M', 1024 ** 2],
    ['K', 1024],
  ] as const) {
    if (bytes % factor === 0 && bytes >= factor) return `${bytes / factor}${unit}`;
  }
  return String(bytes);
}

/** Tags: split on `;`, `,` or spaces, lower-cased, deduplicated, sorted, joined with `;`. */
export function normalizeTags(text: string): string {
  const tags = [
    ...new Set(
      text
        .split(/[;,\s]+/)
        .filter((t) => t !== '')
        .map((t) => t.toLowerCase()),
    ),
  ].sort();
  return tags.join(';');
}

export function memoryMiB(vm: SimVm): number {
  const mem = vm.config.memory;
  const current =
    mem === undefined ? undefined : (propertyValue(mem, 'current') ?? splitPropertyString(mem)[0]?.[1]);
  return Number(current ?? 512) || 512;
}

export function cpuCount(vm: SimVm): number {
  return (Number(vm.config.cores ?? 1) || 1) * (Number(vm.config.sockets ?? 1) || 1);
}

export function diskKeys(config: Record<string, string>): string[] {
  return Object.keys(config)
    .filter((k) => DISK_KEY.test(k))
    .sort();
}

/** Sum of non-cdrom disk sizes in bytes. */
export function totalDiskBytes(config: Record<string, string>): number {
  let total = 0;
  for (const key of diskKeys(config)) {
    const value = config[key] ?? '';
    if (isCdrom(value)) continue;
    const size = /(?:^|,)size=([^,]+)/.exec(value)?.[1];
    if (size !== undefined) total += parseSize(size) || 0;
  }
  return total;
}
