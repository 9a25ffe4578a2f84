/**
 * Guest agent endpoints: `info`, `network-get-interfaces` (the cloud-init IP) and `file-read`. Their privileges
 * (PVE 9: VM.GuestAgent.*, PVE 8: VM.Monitor) are the schema's, checked before the handler (server.ts).
 */
import type { RouteTable } from '../context';
import { pveDie } from '../http-error';
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
