import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const ALERT_LEVELS = ['warning', 'critical'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];
export const ALERT_STATUSES = ['active', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

/**
 * An alert raised by the checker (docs/api.md §10). `key` names the condition (`cpu_high:web-01`,
 * `server_down:web-01`, `pve_unreachable`); at most one alert per key is open (active or acknowledged) at a
 * time, which the partial unique index enforces even if two checker runs overlap.
 */
@Entity({ name: 'alerts' })
@Index('alerts_open_key_idx', ['key'], { unique: true, where: "status IN ('active', 'acknowledged')" })
@Index('alerts_status_id_idx', ['status', 'id'])
export class Alert {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 128 })
  key!: string;

  /** `cpu_high`, `memory_high`, `disk_high`, `server_down`, `pve_unreachable`. */
  @Column({ type: 'varchar', length: 32 })
  type!: string;

  @Column({ type: 'varchar', length: 16 })
  level!: AlertLevel;

  /** The server's name; null for a cluster alert. */
  @Column({ type: 'varchar', length: 63, nullable: true })
  server!: string | null;

  @Column({ type: 'text' })
  message!: string;

  /** The figure that raised it (a percentage, or a state such as `stopped`). */
  @Column({ type: 'jsonb', nullable: true })
  value!: number | string | null;

  @Column({ type: 'double precision', nullable: true })
  threshold!: number | null;

  @Column({ type: 'varchar', length: 16 })
  status!: AlertStatus;

  @Column({ name: 'raised_at', type: 'timestamptz' })
  raisedAt!: Date;

  @Column({ name: 'acknowledged_at', type: 'timestamptz', nullable: true })
  acknowledgedAt!: Date | null;

  /** The username of who acknowledged it. */
  @Column({ name: 'acknowledged_by', type: 'varchar', length: 150, nullable: true })
  acknowledgedBy!: string | null;

  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true })
  resolvedAt!: Date | null;
}
