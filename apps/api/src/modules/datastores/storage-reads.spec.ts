import type { PveStorageConfig } from '@proxdeck/pve-client';
import { storageReads } from './storage-reads';

const storage = (
  fields: Partial<PveStorageConfig> & { storage: string; content: string },
): PveStorageConfig => ({
  type: 'dir',
  digest: 'd',
  ...fields,
});

const config = [
  storage({ storage: 'local', content: 'iso,vztmpl,backup' }),
  storage({ storage: 'local-lvm', content: 'images,rootdir' }),
  storage({ storage: 'nfs-backup', content: 'backup,iso', shared: 1 }),
  storage({ storage: 'ssd-pool', content: 'images,rootdir', shared: 1 }),
  storage({ storage: 'pve3-only', content: 'images', nodes: 'pve3, pve9' }),
  storage({ storage: 'off', content: 'images,backup', disable: 1 }),
];
const nodes: Parameters<typeof storageReads>[1] = [
  { node: 'pve2', status: 'online' },
  { node: 'pve1', status: 'online' },
  { node: 'pve3', status: 'online' },
  { node: 'pve4', status: 'offline' },
];

describe('storageReads', () => {
  it('reads a node’s own storage on each online node it is configured for, a shared one once, never a disabled one', () => {
    expect(storageReads(config, nodes, 'images')).toEqual([
      { node: 'pve1', storage: 'local-lvm', shared: false },
      { node: 'pve2', storage: 'local-lvm', shared: false },
      { node: 'pve3', storage: 'local-lvm', shared: false },
      { node: 'pve1', storage: 'ssd-pool', shared: true },
      { node: 'pve3', storage: 'pve3-only', shared: false },
    ]);
    expect(storageReads(config, nodes, 'backup')).toEqual([
      { node: 'pve1', storage: 'local', shared: false },
      { node: 'pve2', storage: 'local', shared: false },
      { node: 'pve3', storage: 'local', shared: false },
      { node: 'pve1', storage: 'nfs-backup', shared: true },
    ]);
  });

  it('on one node, reads its own storages and the shared ones there', () => {
    expect(storageReads(config, nodes, 'images', 'pve3')).toEqual([
      { node: 'pve3', storage: 'local-lvm', shared: false },
      { node: 'pve3', storage: 'ssd-pool', shared: true },
      { node: 'pve3', storage: 'pve3-only', shared: false },
    ]);
    expect(storageReads(config, nodes, 'images', 'pve4')).toEqual([]); // offline
  });

  it('reads nothing when no node is online', () => {
    expect(storageReads(config, [{ node: 'pve1', status: 'offline' } as const], 'images')).toEqual([]);
  });
});
