import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One thing that happened to a server, as Proxdeck saw it (`GET /api/server/logs/<name>?type=events`): who asked
 * for what and when, with the task that did it, and how it ended. Kept by the server's name, so a deleted
 * server's history stays readable.
 */
@Entity({ name: 'server_events' })
@Index('server_events_server_at_idx', ['serverName', 'at'])
export class ServerEvent {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ name: 'server_name', type: 'varchar', length: 63 })
  serverName!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  at!: Date;

  /** `start`, `stop`, `reboot`, `delete`, `config`, `disk.add`, `created`, `imported`, … */
  @Column({ type: 'varchar', length: 32 })
  action!: string;

  /** `requested`, `completed` or `failed`. */
  @Column({ type: 'varchar', length: 16 })
  outcome!: string;

  /** Who asked: a username, or null for Proxdeck itself (the sync). */
  @Column({ type: 'varchar', length: 64, nullable: true })
  actor!: string | null;

  /** What was asked and what came of it, in words; never a secret. */
  @Column({ type: 'text', default: '' })
  detail!: string;

  @Column({ name: 'task_id', type: 'uuid', nullable: true })
  taskId!: string | null;
}
