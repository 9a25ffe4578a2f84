import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

const bytes = {
  to: (value: number): number => value,
  from: (value: string | number): number => Number(value),
};

/**
 * Proxdeck's cache of Proxmox storage (docs/api.md §5), as last read by a refresh: a shared storage once
 * (node null), a node's own storage once per node that reports it. Replaced as a whole by each refresh.
 */
@Entity({ name: 'datastores' })
@Index('datastores_storage_idx', ['storage'])
export class Datastore {
  /** `<storage>` for a shared one (or one no node reports), `<storage>@<node>` for a node's own. */
  @PrimaryColumn({ type: 'varchar', length: 200 })
  key!: string;

  /** The Proxmox storage id (`local-lvm`). */
  @Column({ type: 'varchar', length: 100 })
  storage!: string;

  @Column({ type: 'varchar', length: 100, nullable: true })
  node!: string | null;

  @Column({ type: 'varchar', length: 32 })
  type!: string;

  @Column({ type: 'varchar', length: 32, array: true })
  content!: string[];

  @Column({ type: 'boolean' })
  shared!: boolean;

  /** Enabled in the storage configuration and active on the node (on some node, for a shared one). */
  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ name: 'total_bytes', type: 'bigint', transformer: bytes })
  totalBytes!: number;

  @Column({ name: 'used_bytes', type: 'bigint', transformer: bytes })
  usedBytes!: number;

  @Column({ name: 'avail_bytes', type: 'bigint', transformer: bytes })
  availBytes!: number;

  @Column({ name: 'refreshed_at', type: 'timestamptz' })
  refreshedAt!: Date;
}
