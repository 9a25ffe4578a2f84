import type { PveNodeStorage, PveStorageConfig } from '@proxdeck/pve-client';
import { automaticDefault, datastoreRows } from './storage-snapshot';

const config = (
  storage: string,
  content: string,
  extra: Partial<PveStorageConfig> = {},
): PveStorageConfig => ({
  storage,
  type: extra.type ?? 'dir',
  content,
  digest: 'd',
  ...extra,
});
const status = (storage: string, used: number, extra: Partial<PveNodeStorage> = {}): PveNodeStorage => ({
  storage,
  type: 'dir',
  content: '',
  active: 1,
  enabled: 1,
  shared: 0,
  total: 1000,
  used,
  avail: 1000 - used,
  ...extra,
});

describe('datastoreRows', () => {
  it('keeps a node’s own storage per node and a shared one once, with the first active node’s figures', () => {
    const rows = datastoreRows(
      [config('local-lvm', 'rootdir,images', { type: 'lvmthin' }), config('ceph', 'images', { shared: 1 })],
      [
        { node: 'pve2', storages: [status('local-lvm', 200), status('ceph', 500, { active: 0 })] },
        { node: 'pve1', storages: [status('local-lvm', 100), status('ceph', 400, { shared: 1 })] },
      ],
    );
    expect(rows).toEqual([
      expect.objectContaining({ key: 'ceph', node: null, shared: true, active: true, usedBytes: 400 }),
      expect.objectContaining({
        key: 'local-lvm@pve1',
        node: 'pve1',
        type: 'lvmthin',
        content: ['images', 'rootdir'],
        usedBytes: 100,
        availBytes: 900,
        totalBytes: 1000,
      }),
      expect.objectContaining({ key: 'local-lvm@pve2', node: 'pve2', usedBytes: 200 }),
    ]);
  });

  it('keeps a configured storage no node reports, inactive and without figures', () => {
    expect(
      datastoreRows([config('old-nfs', 'backup', { disable: 1 })], [{ node: 'pve1', storages: [] }]),
    ).toEqual([
      {
        key: 'old-nfs',
        storage: 'old-nfs',
        node: null,
        type: 'dir',
        content: ['backup'],
        shared: false,
        active: false,
        totalBytes: 0,
        usedBytes: 0,
        availBytes: 0,
      },
    ]);
  });

  it('marks a storage disabled in the configuration inactive even where a node reports it', () => {
    const [row] = datastoreRows(
      [config('local', 'iso', { disable: 1 })],
      [{ node: 'pve1', storages: [status('local', 1)] }],
    );
    expect(row?.active).toBe(false);
  });
});

describe('automaticDefault', () => {
  const rows = (...items: [string, string[]][]) => items.map(([storage, content]) => ({ storage, content }));

  it('prefers local-lvm for HDD and a storage named ssd for SSD', () => {
    const known = rows(['ssd-pool', ['images']], ['local-lvm', ['images']], ['local', ['iso']]);
    expect(automaticDefault('hdd', known)).toBe('local-lvm');
    expect(automaticDefault('ssd', known)).toBe('ssd-pool');
  });

  it('falls back to the first storage holding images, and SSD to the HDD choice', () => {
    const known = rows(['zfs-b', ['images']], ['zfs-a', ['images', 'rootdir']], ['nfs', ['backup']]);
    expect(automaticDefault('hdd', known)).toBe('zfs-a');
    expect(automaticDefault('ssd', known)).toBe('zfs-a');
  });

  it('is null when nothing holds images', () => {
    expect(automaticDefault('hdd', rows(['local', ['iso', 'backup']]))).toBeNull();
  });
});
