/**
 * The default scenario: a 3-node cluster laid out like a real one.
 * - `local` (dir) on each node for ISOs, templates and backups; `local-lvm` (lvmthin) per node for images;
 *   `nfs-backup` (shared) for backups; `ssd-pool` (shared RBD) for images.
 * - Cloud-init templates 8000 rocky, 8001 centos, 9000 ubuntu, 9001 debian, with their disks on the shared
 *   `ssd-pool`, so a full clone with `target=<any node>` works as it does on a real cluster.
 * - A few VMs Proxdeck does not manage.
 */
import { SeededRandom } from '../random';
import type { SimFirewallGroup, SimNode, SimStateData, SimStorage, SimVm, SimVolume } from './model';

export type ScenarioName = 'default' | 'large' | 'empty';

const GiB = 1024 ** 3;
const TiB = 1024 ** 4;

export const DEFAULT_NODES = ['pve1', 'pve2', 'pve3'];

export const TEMPLATE_IDS = { rocky: 8000, centos: 8001, ubuntu: 9000, debian: 9001 } as const;

export function buildScenario(name: ScenarioName, seed: number, now: number): SimStateData {
  const random = new SeededRandom(seed);
  const bootedAt = Math.floor(now / 1000) - 86_400 * 12;
  const nodes: SimNode[] = DEFAULT_NODES.map((n, i) => ({
    name: n,
    online: true,
    maxcpu: 32,
    maxmem: 128 * GiB,
    maxdisk: 100 * GiB,
    bootedAt: bootedAt + i * 600,
    bridges: ['vmbr0', 'vmbr1'],
    cpuModel: 'AMD EPYC 7313P 16-Core Processor',
  }));
  const storages: SimStorage[] = [
    {
      storage: 'local',
      type: 'dir',
      content: ['iso', 'vztmpl', 'backup'],
      shared: false,
      path: '/var/lib/vz',
      total: 100 * GiB,
      extra: { 'prune-backups': 'keep-all=1' },
    },
    {
      storage: 'local-lvm',
      type: 'lvmthin',
      content: ['images', 'rootdir'],
      shared: false,
      total: 800 * GiB,
      extra: { thinpool: 'data', vgname: 'pve' },
    },
    {
      storage: 'nfs-backup',
      type: 'nfs',
      content: ['backup', 'iso'],
      shared: true,
      path: '/mnt/pve/nfs-backup',
      total: 8 * TiB,
      extra: {
        server: '10.10.0.5',
        export: '/export/pve-backup',
        'prune-backups': 'keep-daily=7,keep-last=3',
      },
    },
    {
      storage: 'ssd-pool',
      type: 'rbd',
      content: ['images', 'rootdir'],
      shared: true,
      total: 4 * TiB,
      extra: { pool: 'ssd-pool', krbd: '0' },
    },
  ];
  const data: SimStateData = {
    version: 1,
    clusterName: 'proxdeck-lab',
    nodes,
    storages,
    volumes: [],
    vms: [],
    firewallGroups: [],
    tasks: [],
    nextPid: random.int(0x1000, 0x3ffff),
  };
  if (name === 'empty') return data;

  const ctime = Math.floor(now / 1000) - 86_400 * 30;
  const addVolume = (v: Omit<SimVolume, 'ctime'>): void => {
    data.volumes.push({ ...v, ctime });
  };
  for (const n of DEFAULT_NODES) {
    addVolume({
      volid: 'local:iso/rocky-9.4-x86_64-minimal.iso',
      storage: 'local',
      node: n,
      content: 'iso',
      format: 'iso',
      size: 1_800_000_000,
    });
    addVolume({
      volid: 'local:iso/ubuntu-24.04-live-server-amd64.iso',
      storage: 'local',
      node: n,
      content: 'iso',
      format: 'iso',
      size: 2_700_000_000,
    });
  }

  const templates: [number, string, string, string][] = [
    [TEMPLATE_IDS.rocky, 'rocky9-cloud', 'pve1', 'l26'],
    [TEMPLATE_IDS.centos, 'centos9-cloud', 'pve1', 'l26'],
    [TEMPLATE_IDS.ubuntu, 'ubuntu2404-cloud', 'pve2', 'l26'],
    [TEMPLATE_IDS.debian, 'debian12-cloud', 'pve3', 'l26'],
  ];
  for (const [vmid, vmName, node] of templates) {
    addVolume({
      volid: `ssd-pool:base-${vmid}-disk-0`,
      storage: 'ssd-pool',
      content: 'images',
      format: 'raw',
      size: 20 * GiB,
      vmid,
    });
    addVolume({
      volid: `ssd-pool:vm-${vmid}-cloudinit`,
      storage: 'ssd-pool',
      content: 'images',
      format: 'raw',
      size: 4 * 1024 * 1024,
      vmid,
    });
    data.vms.push(
      newVm(vmid, node, random, {
        name: vmName,
        template: '1',
        cores: '2',
        sockets: '1',
        memory: '2048',
        cpu: 'x86-64-v2-AES',
        ostype: 'l26',
        scsihw: 'virtio-scsi-single',
        scsi0: `ssd-pool:base-${vmid}-disk-0,iothread=1,size=20G`,
        ide2: `ssd-pool:vm-${vmid}-cloudinit,media=cdrom`,
        net0: `virtio=${random.mac()},bridge=vmbr0,firewall=1`,
        boot: 'order=scsi0',
        agent: '1',
        serial0: 'socket',
        vga: 'serial0',
        ciuser: 'cloud',
        ipconfig0: 'ip=dhcp',
        tags: 'template',
      }),
    );
  }

  const unmanaged: [number, string, string, boolean, Record<string, string>][] = [
    [100, 'legacy-dns', 'pve1', true, { ipconfig0: 'ip=10.10.1.53/24,gw=10.10.1.1', agent: '1' }],
    [101, 'legacy-mail', 'pve2', false, { agent: '1' }],
    [102, 'win-jumphost', 'pve3', true, { ostype: 'win11' }],
  ];
  for (const [vmid, vmName, node, running, extra] of unmanaged) {
    addVolume({
      volid: `local-lvm:vm-${vmid}-disk-0`,
      storage: 'local-lvm',
      node,
      content: 'images',
      format: 'raw',
      size: 32 * GiB,
      vmid,
    });
    const vm = newVm(vmid, node, random, {
      name: vmName,
      cores: '2',
      sockets: '1',
      memory: '4096',
      ostype: 'l26',
      scsihw: 'virtio-scsi-single',
      scsi0: `local-lvm:vm-${vmid}-disk-0,iothread=1,size=32G`,
      net0: `virtio=${random.mac()},bridge=vmbr0`,
      boot: 'order=scsi0',
      onboot: '1',
      ...extra,
    });
    if (running) {
      vm.running = true;
      vm.startedAt = Math.floor(now / 1000) - 86_400 * 3 - vmid * 60;
      vm.agentReadyAt = vm.startedAt * 1000;
      if (vm.config.ipconfig0 !== undefined) vm.bootIpconfig0 = vm.config.ipconfig0;
      vm.pid = 10_000 + vmid;
    }
    data.vms.push(vm);
  }

  for (const vm of data.vms) vm.createdAt = ctime;

  if (name === 'large') {
    // Enough guests for load tests of /cluster/resources (2,000 VMs in all).
    let vmid = 1000;
    while (data.vms.length < 2000) {
      const node = DEFAULT_NODES[vmid % DEFAULT_NODES.length] ?? 'pve1';
      const vm = newVm(vmid, node, random, {
        name: `load-${vmid}`,
        cores: '1',
        memory: '1024',
        scsi0: `local-lvm:vm-${vmid}-disk-0,size=8G`,
        net0: `virtio=${random.mac()},bridge=vmbr1`,
        tags: 'load',
      });
      if (vmid % 2 === 0) {
        vm.running = true;
        vm.startedAt = Math.floor(now / 1000) - 3600;
        vm.pid = 20_000 + vmid;
      }
      data.vms.push(vm);
      vmid++;
    }
  }
  const groups: SimFirewallGroup[] = [
    {
      group: 'ssh-admin',
      comment: 'SSH from the admin network',
      rules: [{ type: 'in', action: 'ACCEPT', proto: 'tcp', dport: '22', source: '10.10.0.0/16', enable: 1 }],
    },
  ];
  data.firewallGroups = groups;
  return data;
}

export function newVm(
  vmid: number,
  node: string,
  random: SeededRandom,
  config: Record<string, string>,
): SimVm {
  return {
    vmid,
    node,
    createdAt: Math.floor(Date.now() / 1000),
    config: { smbios1: `uuid=${random.uuid()}`, vmgenid: random.uuid(), ...config },
    pending: {},
    pendingDelete: [],
    running: false,
    paused: false,
    firewallRules: [],
    firewallOptions: {},
    guestFiles: guestFiles(vmid, config.name),
  };
}

/** Files the guest agent can read in a simulated guest. */
export function guestFiles(vmid: number, name: string | undefined): Record<string, string> {
  const host = name ?? `vm${vmid}`;
  const syslog = `Nov 26 10:00:00 ${host} systemd[1]: Started cloud-init.\nNov 26 10:00:01 ${host} sshd[812]: Server listening on 0.0.0.0 port 22.\n`;
  return {
    // Debian and Ubuntu log to syslog, the Red Hat family to messages; a simulated guest has both.
    '/var/log/syslog': syslog,
    '/var/log/messages': syslog,
    '/var/log/cloud-init.log': `2026-11-26 10:00:00,000 - util.py[DEBUG]: Cloud-init v. 24.4 running 'init'\n`,
    '/etc/hostname': `${host}\n`,
  };
}
