import type { SimVolume } from '../state/model';
import { backupFileName, pruneBackups } from './backup';

const day = 86_400;
const base = Date.UTC(2026, 10, 26, 3, 0, 0) / 1000;

function backup(ctime: number, extra: Partial<SimVolume> = {}): SimVolume {
  const file = backupFileName(100, new Date(ctime * 1000), 'zstd');
  return {
    volid: `nfs-backup:backup/${file}`,
    storage: 'nfs-backup',
    content: 'backup',
    format: 'vma.zst',
    size: 1,
    vmid: 100,
    ctime,
    ...extra,
  };
}

describe('backups', () => {
  it('names archives like vzdump', () => {
    expect(backupFileName(100, new Date(Date.UTC(2026, 10, 26, 3, 0, 2)), 'zstd')).toBe(
      'vzdump-qemu-100-2026_11_26-03_00_02.vma.zst',
    );
    expect(backupFileName(7, new Date(Date.UTC(2026, 0, 2, 13, 4, 5)), '0')).toBe(
      'vzdump-qemu-7-2026_01_02-13_04_05.vma',
    );
  });

  it('keeps the newest N with keep-last', () => {
    const group = [0, 1, 2, 3, 4].map((i) => backup(base + i * 60));
    expect(pruneBackups(group, 'keep-last=2').map((b) => b.ctime)).toEqual([base + 120, base + 60, base]);
  });

  it('keeps the newest backup of each recent day with keep-daily, on top of keep-last', () => {
    const group = [
      backup(base),
      backup(base + 60),
      backup(base - day),
      backup(base - day + 60),
      backup(base - 2 * day),
    ];
    const removed = pruneBackups(group, 'keep-daily=2,keep-last=1').map((b) => b.ctime);
    expect(removed).toEqual([base, base - day, base - 2 * day]);
  });

  it('never removes protected backups', () => {
    const group = [backup(base + 60), backup(base, { protected: true })];
    expect(pruneBackups(group, 'keep-last=0')).toEqual([group[0]]);
  });
});
