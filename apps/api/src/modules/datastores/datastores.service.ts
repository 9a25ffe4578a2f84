import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { PveNodeStorage } from '@proxdeck/pve-client';
import type { DataSource } from 'typeorm';
import { ValidationFailedError } from '../../platform/errors/app-error';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import { pveFailure } from '../../platform/proxmox/pve-failure';
import { DatastoreDefault, DISK_TYPES, type DiskType } from './datastore-default.entity';
import { Datastore } from './datastore.entity';
import { automaticDefault, datastoreRows, type NodeStorageReport } from './storage-snapshot';

/** The cached datastores and the defaults in force. */
export interface DatastoreList {
  datastores: Datastore[];
  defaults: Record<DiskType, string | null>;
  /** Whether each default was chosen by an administrator (else chosen automatically). */
  chosen: Record<DiskType, boolean>;
  refreshedAt: Date | null;
}

/** One node's storage as Proxmox reports it now. */
export interface NodeStorageStatus {
  node: string;
  status: string;
  storage: PveNodeStorage[];
  error: string | null;
}

/**
 * Datastores (docs/api.md §5): Proxmox storage cached in Postgres, read from the storage endpoints
 * (`/storage` and `/nodes/{node}/storage`, not `/cluster/resources`, whose figures may lag), refreshed on
 * demand (and on first use), and the HDD and SSD defaults for new disks.
 */
@Injectable()
export class DatastoresService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly proxmox: ProxmoxConnection,
  ) {}

  /** The cache (read from Proxmox first when empty) and the defaults. */
  async list(): Promise<DatastoreList> {
    let rows = await this.cached();
    if (rows.length === 0) rows = await this.reload();
    return this.withDefaults(rows);
  }

  /** Reads Proxmox again and replaces the cache; the chosen defaults are kept. */
  async refresh(): Promise<DatastoreList> {
    return this.withDefaults(await this.reload());
  }

  /** Sets both defaults: each must be a known datastore holding disk images (400 naming the field). */
  async setDefaults(choice: Record<DiskType, string>): Promise<DatastoreList> {
    const { datastores } = await this.list();
    const problems: Record<string, string> = {};
    for (const kind of DISK_TYPES) {
      const id = choice[kind];
      const field = `${kind}_datastore_id`;
      const found = datastores.filter((row) => row.storage === id);
      if (found.length === 0) problems[field] = `no datastore "${id}" (refresh the list if it is new)`;
      else if (!found.some((row) => row.content.includes('images')))
        problems[field] =
          `"${id}" does not hold disk images (content: ${contentText(found[0]?.content ?? [])})`;
    }
    if (Object.keys(problems).length > 0) throw new ValidationFailedError(problems);
    await this.dataSource.transaction(async (manager) => {
      for (const kind of DISK_TYPES)
        await manager.upsert(DatastoreDefault, { diskType: kind, storage: choice[kind] }, ['diskType']);
    });
    return this.withDefaults(datastores);
  }

  /** Proxmox's storage status per node (or for one node), read now. An unknown node is a 400. */
  async proxmoxStorage(node?: string): Promise<NodeStorageStatus[]> {
    try {
      const pve = this.proxmox.pve();
      const nodes = (await pve.nodes()).sort((a, b) => a.node.localeCompare(b.node));
      const wanted = node === undefined ? nodes : nodes.filter((candidate) => candidate.node === node);
      if (node !== undefined && wanted.length === 0)
        throw new ValidationFailedError({ node: `no node "${node}" in the cluster` });
      return await Promise.all(
        wanted.map(async (entry): Promise<NodeStorageStatus> => {
          if (entry.status !== 'online')
            return { node: entry.node, status: entry.status, storage: [], error: `node is ${entry.status}` };
          try {
            return {
              node: entry.node,
              status: entry.status,
              storage: await pve.nodeStorage(entry.node),
              error: null,
            };
          } catch (error) {
            return { node: entry.node, status: entry.status, storage: [], error: describe(error) };
          }
        }),
      );
    } catch (error) {
      throw pveFailure(error);
    }
  }

  /** The cached rows, without reading Proxmox. */
  async cached(): Promise<Datastore[]> {
    return this.dataSource.getRepository(Datastore).find({ order: { storage: 'ASC', node: 'ASC' } });
  }

  /** The defaults in force: the administrator's choice, else the automatic one. */
  async defaults(
    rows?: Datastore[],
  ): Promise<{ defaults: Record<DiskType, string | null>; chosen: Record<DiskType, boolean> }> {
    const stored = await this.dataSource.getRepository(DatastoreDefault).find();
    const known = rows ?? (await this.cached());
    const pick = (kind: DiskType) => stored.find((entry) => entry.diskType === kind)?.storage;
    return {
      defaults: {
        hdd: pick('hdd') ?? automaticDefault('hdd', known),
        ssd: pick('ssd') ?? automaticDefault('ssd', known),
      },
      chosen: { hdd: pick('hdd') !== undefined, ssd: pick('ssd') !== undefined },
    };
  }

  private async withDefaults(rows: Datastore[]): Promise<DatastoreList> {
    const refreshedAt = rows.reduce<Date | null>(
      (latest, row) => (latest === null || row.refreshedAt > latest ? row.refreshedAt : latest),
      null,
    );
    return { datastores: rows, ...(await this.defaults(rows)), refreshedAt };
  }

  /** Reads Proxmox and replaces the cache in one transaction (concurrent refreshes queue on a lock). */
  private async reload(): Promise<Datastore[]> {
    let reports: NodeStorageReport[];
    let config;
    try {
      const pve = this.proxmox.pve();
      const [storageConfig, nodes] = await Promise.all([pve.storageConfig(), pve.nodes()]);
      config = storageConfig;
      const online = nodes.filter((node) => node.status === 'online');
      const settled = await Promise.allSettled(
        online.map(async (node) => ({ node: node.node, storages: await pve.nodeStorage(node.node) })),
      );
      reports = settled.flatMap((outcome) => (outcome.status === 'fulfilled' ? [outcome.value] : []));
      const failed = settled.find((outcome) => outcome.status === 'rejected');
      if (reports.length === 0 && failed) throw failed.reason;
    } catch (error) {
      throw pveFailure(error);
    }
    const rows = datastoreRows(config, reports);
    const refreshedAt = new Date();
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('proxdeck.datastores'))`);
      await manager.createQueryBuilder().delete().from(Datastore).execute();
      if (rows.length > 0)
        await manager.insert(
          Datastore,
          rows.map((row) => ({ ...row, refreshedAt })),
        );
      return manager.find(Datastore, { order: { storage: 'ASC', node: 'ASC' } });
    });
  }
}

function contentText(content: string[]): string {
  return content.length > 0 ? content.join(', ') : 'none';
}

function describe(error: unknown): string {
  const failure = pveFailure(error);
  return failure instanceof Error ? failure.message : String(failure);
}
