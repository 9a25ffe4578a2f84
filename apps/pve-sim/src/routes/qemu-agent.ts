/**
 * Guest agent endpoints: `info`, `network-get-interfaces` (the cloud-init IP), `get-fsinfo` and `file-read`. Their privileges
 * (PVE 9: VM.GuestAgent.*, PVE 8: VM.Monitor) are the schema's, checked before the handler (server.ts).
 */
import type { RouteTable } from '../context';
import { pveDie } from '../http-error';
import { wave } from '../metrics';
import { totalDiskBytes } from '../state/vm-config';
import { nowSeconds } from './cluster';
import { guestIpv4, requireAgent, vmOf } from './qemu-common';

/** What the simulated qemu-guest-agent (9.2) offers: the commands `guest-info` lists, all enabled. */
const AGENT_VERSION = '9.2.0';
const AGENT_COMMANDS = [
  'guest-exec',
  'guest-exec-status',
  'guest-file-close',
  'guest-file-open',
  'guest-file-read',
  'guest-file-write',
  'guest-fsfreeze-freeze',
  'guest-fsfreeze-status',
  'guest-fsfreeze-thaw',
  'guest-fstrim',
  'guest-get-fsinfo',
  'guest-get-host-name',
  'guest-get-memory-blocks',
  'guest-get-osinfo',
  'guest-get-time',
  'guest-get-timezone',
  'guest-get-users',
  'guest-get-vcpus',
  'guest-info',
  'guest-network-get-interfaces',
  'guest-ping',
  'guest-set-user-password',
  'guest-shutdown',
  'guest-sync',
  'guest-sync-delimited',
];

export function registerQemuAgentRoutes(routes: RouteTable): void {
  routes.set('GET /nodes/{node}/qemu/{vmid}/agent/info', (ctx) => {
    const vm = vmOf(ctx);
    requireAgent(vm, 'guest-info');
    return {
      result: {
        version: AGENT_VERSION,
        supported_commands: AGENT_COMMANDS.map((name) => ({
          name,
          enabled: true,
          'success-response': !['guest-shutdown', 'guest-fsfreeze-freeze'].includes(name),
        })),
      },
    };
  });

  routes.set('GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces', (ctx) => {
    const vm = vmOf(ctx);
    requireAgent(vm, 'guest-network-get-interfaces');
    const { address, prefix } = guestIpv4(ctx.sim, vm);
    const mac = (
      /^[a-z0-9]+=([0-9A-F:]{17})/i.exec(vm.config.net0 ?? '')?.[1] ?? '00:00:00:00:00:00'
    ).toLowerCase();
    const uptime = Math.max(1, nowSeconds() - (vm.startedAt ?? nowSeconds()));
    const stats = (f: number): Record<string, number> => {
      const n = (x: number): number => Math.round(uptime * x * f);
      return {
        'rx-bytes': n(2000),
        'rx-packets': n(20),
        'rx-errs': 0,
        'rx-dropped': 0,
        'tx-bytes': n(1500),
        'tx-packets': n(15),
        'tx-errs': 0,
        'tx-dropped': 0,
      };
    };
    return {
      result: [
        {
          name: 'lo',
          'hardware-address': '00:00:00:00:00:00',
          'ip-addresses': [
            { 'ip-address': '127.0.0.1', 'ip-address-type': 'ipv4', prefix: 8 },
            { 'ip-address': '::1', 'ip-address-type': 'ipv6', prefix: 128 },
          ],
          statistics: stats(0.1),
        },
        {
          name: 'eth0',
          'hardware-address': mac,
          'ip-addresses': [
            { 'ip-address': address, 'ip-address-type': 'ipv4', prefix },
            {
              'ip-address': `fe80::be24:11ff:fe${mac.slice(9, 11)}:${mac.slice(12, 14)}${mac.slice(15, 17)}`,
              'ip-address-type': 'ipv6',
              prefix: 64,
            },
          ],
          statistics: stats(1),
        },
      ],
    };
  });

  /**
   * `guest-get-fsinfo` as QEMU's agent answers it (`{result: [GuestFilesystemInfo]}`): the root filesystem on the
   * first partition of the VM's disks (their size less the EFI partition) and the EFI partition; `used-bytes` and
   * `total-bytes` as the guest's statvfs gives them.
   */
  routes.set('GET /nodes/{node}/qemu/{vmid}/agent/get-fsinfo', (ctx) => {
    const vm = vmOf(ctx);
    requireAgent(vm, 'guest-get-fsinfo');
    const efi = 100 * 1024 * 1024;
    const rootTotal = Math.max(0, Math.floor((totalDiskBytes(vm.config) - efi) * 0.96));
    const share = vm.guestRootUsed ?? 0.2 + 0.3 * wave(`vm${String(vm.vmid)}fs`, ctx.sim.seed, 0);
    const disk = (partition: number) => [
      {
        'pci-controller': { domain: 0, bus: 1, slot: 1, function: 0 },
        'bus-type': 'scsi',
        bus: 0,
        target: 0,
        unit: 0,
        dev: `/dev/sda${String(partition)}`,
        serial: `0QEMU_QEMU_HARDDISK_drive-scsi0`,
      },
    ];
    return {
      result: [
        {
          name: 'sda1',
          mountpoint: '/',
          type: 'ext4',
          'total-bytes': rootTotal,
          'used-bytes': Math.round(rootTotal * Math.min(1, Math.max(0, share))),
          disk: disk(1),
        },
        {
          name: 'sda15',
          mountpoint: '/boot/efi',
          type: 'vfat',
          'total-bytes': 109_422_592,
          'used-bytes': 6_145_024,
          disk: disk(15),
        },
      ],
    };
  });

  routes.set('GET /nodes/{node}/qemu/{vmid}/agent/file-read', (ctx) => {
    const vm = vmOf(ctx);
    requireAgent(vm, 'guest-file-open');
    const file = String(ctx.params.file);
    const content = vm.guestFiles[file];
    if (content === undefined)
      throw pveDie(`Agent error: Failed to open file '${file}': No such file or directory`);
    const max = 16 * 1024 * 1024;
    return content.length > max ? { content: content.slice(0, max), truncated: true } : { content };
  });
}
