import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * Keys of this installation, made once and shared by every process through the database: `secret-box` seals
 * secrets that must wait somewhere else (Redis) for a worker, so that they never rest there in clear.
 */
@Entity({ name: 'installation_keys' })
export class InstallationKey {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  name!: string;

  @Column({ type: 'bytea' })
  key!: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
