import type { PveNodeListItem, PveStorageConfig } from '@proxdeck/pve-client';

/** One listing of a storage's content: on which node to read it. */
export interface StorageRead {
  node: string;
  storage: string;
  shared: boolean;
}

/**
 * Where to read the content of every enabled storage holding `content` (`backup`, `images`, …) so that each
 * volume is seen once: a node's own storage on each online node it is configured for, a shared one once, on
 * the first of those nodes. With `onNode`, only the reads on that node (its own storages and the shared ones).
 */
export function storageReads(
  config: readonly PveStorageConfig[],
  nodes: readonly Pick<PveNodeListItem, 'node' | 'status'>[],
  content: string,
  onNode?: string,
): StorageRead[] {
  const online = nodes
    .filter((n) => n.status === 'online')
    .map((n) => n.node)
    .sort();
  const reads: StorageRead[] = [];
  for (const storage of config) {
    if (!storage.content.split(',').includes(content) || storage.disable === 1) continue;
    const allowed = storage.nodes ? storage.nodes.split(',').map((n) => n.trim()) : null;
    const candidates = online.filter((n) => allowed === null || allowed.includes(n));
    const shared = storage.shared === 1;
    const on =
      onNode !== undefined
        ? candidates.filter((n) => n === onNode)
        : shared
          ? candidates.slice(0, 1)
          : candidates;
    for (const node of on) reads.push({ node, storage: storage.storage, shared });
  }
  return reads;
}
