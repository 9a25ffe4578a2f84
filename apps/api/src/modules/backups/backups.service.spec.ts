import { archiveVolid, lastPercent } from './backups.service';

describe('reading a vzdump log', () => {
  const log = [
    'INFO: Starting Backup of VM 100 (qemu)',
    "INFO: creating vzdump archive '/mnt/pve/nfs-backup/dump/vzdump-qemu-100-2026_12_01-01_25_52.vma.zst'",
    'INFO:  25% (8.0 GiB of 32.0 GiB) in 6s, read: 1.3 GiB/s, write: 1.3 GiB/s',
    'INFO:  50% (16.0 GiB of 32.0 GiB) in 13s, read: 1.3 GiB/s, write: 1.3 GiB/s',
    'INFO: transferred 32.0 GiB in 26 seconds',
  ];

  it('takes the last percentage line as the progress', () => {
    expect(lastPercent(log)).toBe(50);
    expect(lastPercent(log.slice(0, 2))).toBeNull();
  });

  it("names the archive's volume on the storage it was written to", () => {
    expect(archiveVolid(log, 'nfs-backup')).toBe(
      'nfs-backup:backup/vzdump-qemu-100-2026_12_01-01_25_52.vma.zst',
    );
    expect(archiveVolid(['INFO: nothing'], 'local')).toBeNull();
  });
});
