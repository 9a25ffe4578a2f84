import type { PveVmConfig } from '@proxdeck/pve-client';
import { isCpuType } from './cpu-types';
import { bootDisk, cpuType, pendingChanges, withCpuType } from './server-config';
import { nextFreeDevice } from './server-disks';
import { memoryMb } from './vm-config';

const vm = (config: Record<string, string | number>): PveVmConfig => ({ digest: 'd', ...config });

describe('a server configuration as Proxmox writes it', () => {
  it('reads memory in both of Proxmox’s forms, and its default', () => {
    expect(memoryMb('2048')).toBe(2048);
    expect(memoryMb(4096)).toBe(4096);
    expect(memoryMb('current=8192')).toBe(8192);
    expect(memoryMb(undefined)).toBe(512);
  });

  it('reads and replaces the CPU type, keeping its flags', () => {
    expect(cpuType(undefined)).toBe('kvm64');
    expect(cpuType('host')).toBe('host');
    expect(cpuType('cputype=x86-64-v2-AES,flags=+aes')).toBe('x86-64-v2-AES');
    expect(withCpuType('x86-64-v2-AES,flags=+aes', 'host')).toBe('host,flags=+aes');
    expect(withCpuType('cputype=kvm64,hidden=1', 'max')).toBe('max,hidden=1');
    expect(withCpuType(undefined, 'host')).toBe('host');
  });

  it('knows Proxmox’s CPU types and custom ones, and nothing else', () => {
    for (const type of ['host', 'kvm64', 'x86-64-v2-AES', 'EPYC-Milan', 'Skylake-Server-v4', 'custom-fast'])
      expect(isCpuType(type)).toBe(true);
    for (const type of ['pentium9000', 'HOST ', 'custom-', 'custom-a,flags=+x', ''])
      expect(isCpuType(type)).toBe(false);
  });

  it('finds the boot disk from the boot order, the legacy bootdisk, or the first disk', () => {
    const disks = { scsi0: 'local-lvm:vm-1-disk-0,size=8G', virtio1: 'local-lvm:vm-1-disk-1,size=4G' };
    expect(
      bootDisk(vm({ ...disks, boot: 'order=ide2;virtio1;scsi0;net0', ide2: 'local:iso/x.iso,media=cdrom' })),
    ).toBe('virtio1');
    expect(bootDisk(vm({ ...disks, boot: 'cdn', bootdisk: 'virtio1' }))).toBe('virtio1');
    expect(bootDisk(vm(disks))).toBe('scsi0');
    expect(bootDisk(vm({ ide2: 'ssd:vm-1-cloudinit,media=cdrom' }))).toBeNull();
  });

  it('chooses the next free device of a bus, counting every device of the config', () => {
    const config = vm({
      scsi0: 'local-lvm:vm-1-disk-0,size=8G',
      scsi1: 'local-lvm:vm-1-disk-1,size=8G',
      ide2: 'ssd:vm-1-cloudinit,media=cdrom',
      scsi3: 'local-lvm:vm-1-disk-3,size=8G',
    });
    expect(nextFreeDevice(config, 'scsi')).toBe('scsi2');
    expect(nextFreeDevice(config, 'virtio')).toBe('virtio0');
    const full = vm(
      Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`sata${String(i)}`, 'x:y,size=1G'])),
    );
    expect(nextFreeDevice(full, 'sata')).toBeNull();
  });

  it('lists what waits for a restart, never a secret', () => {
    expect(
      pendingChanges([
        { key: 'memory', value: '1024', pending: '2048' },
        { key: 'cores', value: 1 },
        { key: 'balloon', value: 512, delete: 1 },
        { key: 'cipassword', value: '**********', pending: '**********' },
      ]),
    ).toEqual({
      memory: { current: '1024', pending: '2048', delete: false },
      balloon: { current: '512', pending: null, delete: true },
    });
  });
});
