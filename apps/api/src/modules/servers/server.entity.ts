import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { ServerStatus } from './server-status';

/** A disk of a server (docs/api.md §3.1). */
export interface ServerDisk {
  /** Proxmox's key: `scsi0`, `virtio1`, ... */
  device: string;
  datastore: string;
  size_gb: number;
}

/** A network device of a server, with the address Proxdeck gave it (or found on it). */
export interface ServerNetwork {
  /** Proxmox's key: `net0`, ... */
  device: string;
  bridge: string;
  ip_address: string | null;
  prefix: number | null;
  gateway: string | null;
  mac: string | null;
}

/** What Proxmox's resource list said of the VM at the last sync that changed something. */
export interface ServerLive {
  cpu_usage: number;
  mem_bytes: number;
  maxmem_bytes: number;
  disk_bytes: number;
  uptime_s: number;
  netin_bytes: number;
  netout_bytes: number;
  lock: string | null;
}

/** `created`: Proxdeck made the VM; `imported`: it existed and was taken into the inventory by a sync. */
export type ServerOrigin = 'created' | 'imported';

/**
 * A server of the inventory (docs/api.md §3.1): one Proxmox VM that Proxdeck made or imported. Disks and
 * network devices are the server's own values, kept with it; `ip_addresses` repeats the networks' addresses
 * for searching by IP.
 */
@Entity({ name: 'servers' })
@Index('servers_status_idx', ['status'])
@Index('servers_node_idx', ['node'])
export class Server {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Index('servers_name_key', { unique: true })
  @Column({ type: 'varchar', length: 63 })
  name!: string;

  /** Reserved by Proxdeck before the clone; null only before the reservation. */
  @Index('servers_vmid_key', { unique: true })
  @Column({ type: 'integer', nullable: true })
  vmid!: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  node!: string | null;

  @Column({ type: 'varchar', length: 16 })
  status!: ServerStatus;

  @Column({ type: 'varchar', length: 16, default: 'created' })
  origin!: ServerOrigin;

  @Column({ name: 'cpu_cores', type: 'smallint' })
  cpuCores!: number;

  @Column({ name: 'memory_mb', type: 'integer' })
  memoryMb!: number;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  disks!: ServerDisk[];

  @Column({ type: 'jsonb', default: () => "'[]'" })
  networks!: ServerNetwork[];

  @Column({ name: 'ip_addresses', type: 'text', array: true, default: () => "'{}'" })
  ipAddresses!: string[];

  @Column({ name: 'os_type', type: 'varchar', length: 32, nullable: true })
  osType!: string | null;

  @Column({ name: 'template_vmid', type: 'integer', nullable: true })
  templateVmid!: number | null;

  @Column({ type: 'varchar', length: 64, nullable: true })
  role!: string | null;

  @Column({ name: 'firewall_group', type: 'varchar', length: 18, nullable: true })
  firewallGroup!: string | null;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags!: string[];

  @Column({ type: 'text', default: '' })
  description!: string;

  @Column({ type: 'jsonb', nullable: true })
  live!: ServerLive | null;

  /** Why the server is `failed` (Proxmox's own text when Proxmox failed). */
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ name: 'created_by', type: 'integer', nullable: true })
  createdBy!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** The last sync that found the VM in Proxmox. */
  @Column({ name: 'last_synced_at', type: 'timestamptz', nullable: true })
  lastSyncedAt!: Date | null;
}
