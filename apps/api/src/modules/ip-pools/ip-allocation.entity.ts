import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { IpPool } from './ip-pool.entity';

/**
 * One address handed out, to one NIC of one owner (`server:<name>`, NIC 0..). An address is held at most once
 * across every pool and subnet, and an owner's NIC holds at most one address: both are unique constraints,
 * the final guard behind the pool lock. A pool with allocations cannot be deleted (the foreign key restricts).
 */
@Entity({ name: 'ip_allocations' })
@Index('ip_allocations_address_key', ['address'], { unique: true })
@Index('ip_allocations_owner_nic_key', ['owner', 'nic'], { unique: true })
@Index('ip_allocations_pool_id_idx', ['poolId'])
export class IpAllocation {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** Null: an explicit address in a subnet no pool covers. */
  @Column({ name: 'pool_id', type: 'integer', nullable: true })
  poolId!: number | null;

  @ManyToOne(() => IpPool, { onDelete: 'RESTRICT', nullable: true })
  @JoinColumn({ name: 'pool_id' })
  pool?: IpPool | null;

  @Column({ type: 'varchar', length: 15 })
  address!: string;

  /** The prefix length the address is configured with (the pool's, or the subnet given). */
  @Column({ type: 'smallint' })
  prefix!: number;

  @Column({ type: 'varchar', length: 15 })
  gateway!: string;

  @Column({ type: 'varchar', length: 15 })
  bridge!: string;

  @Column({ type: 'varchar', length: 128 })
  owner!: string;

  @Column({ type: 'smallint' })
  nic!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
