import { disksOf, networksOf, parsePropertyString, sizeInGb } from './vm-config';

describe('VM config parsing', () => {
  it('reads property strings with a leading bare value', () => {
    expect([...parsePropertyString('local-lvm:vm-1-disk-0,iothread=1,size=32G')]).toEqual([
      ['', 'local-lvm:vm-1-disk-0'],
      ['iothread', '1'],
      ['size', '32G'],
    ]);
  });

  it('converts sizes to whole GiB', () => {
    expect([sizeInGb('32G'), sizeInGb('1T'), sizeInGb('512M'), sizeInGb('100K'), sizeInGb('x')]).toEqual([
      32, 1024, 1, 1, 0,
    ]);
  });

  it('finds image disks, not CD-ROMs or the cloud-init drive', () => {
    expect(
      disksOf({
        digest: 'd',
        scsi10: 'ssd-pool:vm-1-disk-2,size=8G',
        scsi0: 'local-lvm:vm-1-disk-0,size=32G',
        ide2: 'local:iso/x.iso,media=cdrom',
        ide0: 'ssd-pool:vm-1-cloudinit,media=cdrom',
        scsihw: 'virtio-scsi-single',
      }),
    ).toEqual([
      { device: 'scsi0', datastore: 'local-lvm', size_gb: 32 },
      { device: 'scsi10', datastore: 'ssd-pool', size_gb: 8 },
    ]);
  });

  it('finds network devices with their MAC and cloud-init address', () => {
    expect(
      networksOf({
        digest: 'd',
        net0: 'virtio=BC:24:11:00:00:01,bridge=vmbr0,firewall=1',
        ipconfig0: 'ip=10.0.0.5/24,gw=10.0.0.1',
        net1: 'e1000=BC:24:11:00:00:02,bridge=vmbr1',
        ipconfig1: 'ip=dhcp',
      }),
    ).toEqual([
      {
        device: 'net0',
        bridge: 'vmbr0',
        ip_address: '10.0.0.5',
        prefix: 24,
        gateway: '10.0.0.1',
        mac: 'BC:24:11:00:00:01',
      },
      {
        device: 'net1',
        bridge: 'vmbr1',
        ip_address: null,
        prefix: null,
        gateway: null,
        mac: 'BC:24:11:00:00:02',
      },
    ]);
  });
});
