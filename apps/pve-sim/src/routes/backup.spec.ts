import { backupFileName } from './backup';

describe('backups', () => {
  it('names archives like vzdump', () => {
    expect(backupFileName(100, new Date(Date.UTC(2026, 10, 26, 3, 0, 2)), 'zstd')).toBe(
      'vzdump-qemu-100-2026_11_26-03_00_02.vma.zst',
    );
    expect(backupFileName(7, new Date(Date.UTC(2026, 0, 2, 13, 4, 5)), '0')).toBe(
      'vzdump-qemu-7-2026_01_02-13_04_05.vma',
    );
  });
  // Retention (prune-backups) is Proxmox's prune_mark_backup_group in libs/pve-client/src/prune.ts, tested
  // there with dates; test/backup-jobs.spec.ts checks that vzdump and scheduled jobs apply it.
});
