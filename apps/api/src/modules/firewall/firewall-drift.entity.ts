import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { VmFirewallDrift } from '../../platform/proxmox/vm-firewall';
import { Server } from '../servers';

/**
 * A server whose VM firewall in Proxmox no longer holds the security group Proxdeck attached (docs/api.md §15,
 * drift): found by the server sync, removed when the group is re-applied, changed or removed, or found back.
 */
@Entity({ name: 'firewall_drift' })
export class FirewallDrift {
  /** The server's id (servers.id); the row goes with the server. */
  @PrimaryColumn({ name: 'server_id', type: 'integer' })
  serverId!: number;

  @ManyToOne(() => Server, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'server_id' })
  server?: Server;

  /** The group Proxdeck attached and recorded (servers.firewall_group when it was found). */
  @Column({ name: 'group_name', type: 'varchar', length: 18 })
  groupName!: string;

  @Column({ type: 'varchar', length: 32 })
  reason!: VmFirewallDrift;

  @Column({ name: 'detected_at', type: 'timestamptz' })
  detectedAt!: Date;
}
