import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

/**
 * An IP pool (docs/api.md §3.3): a network on a Proxmox bridge, its gateway and DNS servers, and the range
 * `auto` allocates from. Pools never overlap. Its row is the lock that serialises allocations in it.
 */
@Entity({ name: 'ip_pools' })
@Index('ip_pools_bridge_idx', ['bridge'])
export class IpPool {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 15 })
  bridge!: string;

  /** The network, canonical (`10.0.0.0/24`). */
  @Column({ type: 'varchar', length: 18 })
  cidr!: string;

  @Column({ type: 'varchar', length: 15 })
  gateway!: string;

  @Column({ name: 'range_start', type: 'varchar', length: 15 })
  rangeStart!: string;

  @Column({ name: 'range_end', type: 'varchar', length: 15 })
  rangeEnd!: string;

  @Column({ type: 'varchar', length: 15, array: true, default: () => "'{}'" })
  dns!: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
