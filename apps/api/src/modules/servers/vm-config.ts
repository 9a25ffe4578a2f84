import type { PveVmConfig } from '@proxdeck/pve-client';
import type { ServerDisk, ServerNetwork } from './server.entity';

const DISK_KEY = /^(scsi|virtio|sata|ide)\d+$/;
const NET_KEY = /^net(\d+)$/;

/** `key=value,key=value` (a Proxmox property string), with a leading bare value under `''`. */
export function parsePropertyString(text: string): Map<string, string> {
  const properties = new Map<string, string>();
  for (const [index, part] of text.split(',').entries()) {
    const equals = part.indexOf('=');
    if (equals < 0) properties.set(index === 0 ? '' : part, index === 0 ? part : '');
    else properties.set(part.slice(0, equals), part.slice(equals + 1));
  }
  return properties;
}

/** `memory` as Proxmox writes it (`2048` or `current=2048`), in MB. */
export function memoryMb(value: string | number | undefined): number {
  if (value === undefined) return 512; // Proxmox's default
  const text = String(value);
  const current = parsePropertyString(text).get('current') ?? parsePropertyString(text).get('') ?? text;
  const parsed = Number.parseInt(current, 10);
  return Number.isFinite(parsed) ? parsed : 512;
}

/** `32G`, `512M`, `1T` as whole GiB (at least 1 when not zero). */
export function sizeInGb(size: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?)([KMGT]?)$/.exec(size ?? '');
  if (!match) return 0;
  const factor = { '': 1 / 1024 ** 3, K: 1 / 1024 ** 2, M: 1 / 1024, G: 1, T: 1024 }[
    match[2] as '' | 'K' | 'M' | 'G' | 'T'
  ];
  const gb = Number(match[1]) * factor;
  return gb > 0 ? Math.max(1, Math.round(gb)) : 0;
}

/** The disks of a VM config: its image volumes (CD-ROMs and the cloud-init drive are not disks). */
export function disksOf(config: PveVmConfig): ServerDisk[] {
  const disks: ServerDisk[] = [];
  for (const [key, value] of Object.entries(config)) {
    if (!DISK_KEY.test(key) || typeof value !== 'string') continue;
    const properties = parsePropertyString(value);
    const volume = properties.get('') ?? '';
    if (properties.get('media') === 'cdrom' || volume.includes('cloudinit') || volume === 'none') continue;
    const datastore = volume.split(':')[0] ?? '';
    disks.push({ device: key, datastore, size_gb: sizeInGb(properties.get('size')) });
  }
  return disks.sort((a, b) => a.device.localeCompare(b.device, 'en', { numeric: true }));
}

/** The network devices of a VM config, with the address its cloud-init `ipconfigN` gives them. */
export function networksOf(config: PveVmConfig): ServerNetwork[] {
  const networks: ServerNetwork[] = [];
  for (const [key, value] of Object.entries(config)) {
    const match = NET_KEY.exec(key);
    if (!match || typeof value !== 'string') continue;
    const properties = parsePropertyString(value);
    const model = [...properties.keys()].find((name) =>
      ['virtio', 'e1000', 'e1000e', 'rtl8139', 'vmxnet3'].includes(name),
    );
    const ipconfig = config[`ipconfig${match[1] ?? ''}`];
    const ip = typeof ipconfig === 'string' ? parsePropertyString(ipconfig) : new Map<string, string>();
    const [address, prefix] = (ip.get('ip') ?? '').split('/');
    const hasAddress = address !== undefined && /^\d{1,3}(\.\d{1,3}){3}$/.test(address);
    networks.push({
      device: key,
      bridge: properties.get('bridge') ?? '',
      ip_address: hasAddress ? address : null,
      prefix: hasAddress && prefix ? Number(prefix) : null,
      gateway: ip.get('gw') ?? null,
      mac: model ? (properties.get(model) ?? null) : null,
    });
  }
  return networks.sort((a, b) => a.device.localeCompare(b.device, 'en', { numeric: true }));
}
