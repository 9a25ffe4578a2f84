import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One monitoring setting changed through `POST /api/monitoring/config` (docs/api.md §10). A setting without a
 * row has its environment value (config.schema.ts); `value` null means "none" (a URL or a secret turned off).
 */
@Entity({ name: 'monitoring_settings' })
export class MonitoringSetting {
  /** The setting's API name, `cpu_warning_percent`, `prometheus_url`, ... (monitoring-settings.ts). */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  key!: string;

  @Column({ type: 'jsonb', nullable: true })
  value!: number | string | null;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  /** The username of who changed it. */
  @Column({ name: 'updated_by', type: 'varchar', length: 150, nullable: true })
  updatedBy!: string | null;
}
