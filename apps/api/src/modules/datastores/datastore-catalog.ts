import { Injectable } from '@nestjs/common';
import type { DiskType } from './datastore-default.entity';
import { DatastoresService } from './datastores.service';

/** What the creation pipeline needs to know about one datastore. */
export interface DatastoreInfo {
  id: string;
  type: string;
  content: string[];
  shared: boolean;
  /** Nodes on which it is active (every node reporting it, for a shared one). Empty: active nowhere. */
  activeOn: string[] | 'all';
}

/**
 * Datastores for other modules (the server-creation pipeline), from Proxdeck's cache (read from Proxmox on
 * first use):
 * - `defaultFor('hdd' | 'ssd')`: the datastore for `datastore_id: "auto"` disks of that type, as the
 *   administrator chose it (`POST /api/datastores/default`), else chosen automatically; null when no
 *   datastore holds disk images.
 * - `find(id)`: the datastore, or null when Proxmox has none of that id. Check `content.includes('images')`
 *   and `activeOn` (a node's own storage) before putting a disk there.
 */
@Injectable()
export class DatastoreCatalog {
  constructor(private readonly datastores: DatastoresService) {}

  async defaultFor(kind: DiskType): Promise<string | null> {
    return (await this.datastores.list()).defaults[kind];
  }

  /** Every datastore that holds `content` (`backup`, `images`, …), shared ones first, then by id. */
  async withContent(content: string): Promise<DatastoreInfo[]> {
    const ids = new Set((await this.datastores.list()).datastores.map((row) => row.storage));
    const found = await Promise.all([...ids].map((id) => this.find(id)));
    return found
      .filter((info): info is DatastoreInfo => info?.content.includes(content) === true)
      .sort((a, b) => Number(b.shared) - Number(a.shared) || a.id.localeCompare(b.id));
  }

  async find(id: string): Promise<DatastoreInfo | null> {
    const rows = (await this.datastores.list()).datastores.filter((row) => row.storage === id);
    const first = rows[0];
    if (!first) return null;
    return {
      id,
      type: first.type,
      content: [...first.content],
      shared: first.shared,
      activeOn: first.shared
        ? first.active
          ? 'all'
          : []
        : rows.filter((row) => row.active && row.node !== null).map((row) => row.node ?? ''),
    };
  }
}
