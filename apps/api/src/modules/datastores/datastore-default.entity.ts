import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const DISK_TYPES = ['hdd', 'ssd'] as const;
export type DiskType = (typeof DISK_TYPES)[number];

/** The datastore an administrator chose for new disks of one type; kept across refreshes of the cache. */
@Entity({ name: 'datastore_defaults' })
export class DatastoreDefault {
  @PrimaryColumn({ name: 'disk_type', type: 'varchar', length: 8 })
  diskType!: DiskType;

  @Column({ type: 'varchar', length: 100 })
  storage!: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
