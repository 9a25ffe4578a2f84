import type { PveNodeStorage, PveStorageConfig } from '@proxdeck/pve-client';
import type { DiskType } from './datastore-default.entity';

/** One row of the datastore cache, before it is stored. */
export interface DatastoreRow {
  key: string;
  storage: string;
  node: string | null;
  type: string;
  content: string[];
  shared: boolean;
  active: boolean;
  totalBytes: number;
  usedBytes: number;
  availBytes: number;
}

/** What one node said about its storage (`GET /nodes/{node}/storage`). */
export interface NodeStorageReport {
  node: string;
  storages: PveNodeStorage[];
}

function contentList(content: string): string[] {
  return content
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .sort();
}

/**
 * The cache rows for Proxmox's storage configuration (`GET /storage`) and what each reachable node reports:
 * a shared storage once (its figures from the first node reporting it active), a node's own storage once per
 * node reporting it, and a configured storage no node reports (disabled, or its nodes unreachable) once, with
 * no figures and not active. Sorted by storage id, then node.
 */
export function datastoreRows(config: PveStorageConfig[], reports: NodeStorageReport[]): DatastoreRow[] {
  const rows: DatastoreRow[] = [];
  for (const storage of config) {
    const enabled = storage.disable !== 1;
    const seen = reports.flatMap((report) =>
      report.storages
        .filter((status) => status.storage === storage.storage)
        .map((status) => ({ node: report.node, status })),
    );
    const base = {
      storage: storage.storage,
      type: storage.type,
      content: contentList(storage.content),
      shared: storage.shared === 1,
    };
    const figures = (status: PveNodeStorage | undefined) => ({
      totalBytes: status?.total ?? 0,
      usedBytes: status?.used ?? 0,
      availBytes: status?.avail ?? 0,
    });
    const isActive = (status: PveNodeStorage) => enabled && status.active === 1 && status.enabled === 1;
    if (seen.length === 0) {
      rows.push({ key: storage.storage, node: null, ...base, active: false, ...figures(undefined) });
    } else if (base.shared) {
      const reporting = seen.find((entry) => isActive(entry.status)) ?? seen[0];
      rows.push({
        key: storage.storage,
        node: null,
        ...base,
        active: seen.some((entry) => isActive(entry.status)),
        ...figures(reporting?.status),
      });
    } else {
      for (const { node, status } of seen)
        rows.push({
          key: `${storage.storage}@${node}`,
          node,
          ...base,
          active: isActive(status),
          ...figures(status),
        });
    }
  }
  return rows.sort(
    (a, b) => a.storage.localeCompare(b.storage) || (a.node ?? '').localeCompare(b.node ?? ''),
  );
}

/**
 * The datastore new disks of a type go to when no administrator chose one: for HDD, `local-lvm` when it holds
 * disk images, else the first storage holding them whose id does not say "ssd", else the first holding them;
 * for SSD, the first holding disk images whose id says "ssd", else the HDD choice. Null when none holds images.
 */
export function automaticDefault(
  kind: DiskType,
  rows: Pick<DatastoreRow, 'storage' | 'content'>[],
): string | null {
  const images = [
    ...new Set(rows.filter((row) => row.content.includes('images')).map((row) => row.storage)),
  ].sort();
  const saysSsd = (id: string) => id.toLowerCase().includes('ssd');
  const hdd = images.includes('local-lvm')
    ? 'local-lvm'
    : (images.find((id) => !saysSsd(id)) ?? images[0] ?? null);
  if (kind === 'hdd') return hdd;
  return images.find(saysSsd) ?? hdd;
}
