import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export const ROLE_RUN_ACTIONS = ['apply', 'remove', 'dry_run'] as const;
export type RoleRunAction = (typeof ROLE_RUN_ACTIONS)[number];
export const ROLE_RUN_STATUSES = ['running', 'succeeded', 'failed'] as const;
export type RoleRunStatus = (typeof ROLE_RUN_STATUSES)[number];

/**
 * One ansible-playbook run of a role against a server (docs/api.md §6): what ran, how it ended and its whole
 * output, secret values masked. Kept when the server is gone (by name).
 */
@Entity({ name: 'role_runs' })
@Index('role_runs_server_id_idx', ['server', 'id'])
export class RoleRun {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'varchar', length: 63 })
  server!: string;

  @Column({ type: 'varchar', length: 64 })
  role!: string;

  @Column({ type: 'varchar', length: 16 })
  action!: RoleRunAction;

  @Column({ type: 'varchar', length: 16 })
  status!: RoleRunStatus;

  /** The variables given, secret ones as `********`. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  variables!: Record<string, unknown>;

  @Column({ name: 'task_id', type: 'uuid', nullable: true })
  taskId!: string | null;

  /** The address the run connected to. */
  @Column({ type: 'varchar', length: 64, nullable: true })
  address!: string | null;

  @Column({ name: 'exit_code', type: 'integer', nullable: true })
  exitCode!: number | null;

  /** Why it failed, in one line. */
  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'text', default: '' })
  log!: string;

  @Column({ name: 'created_by', type: 'integer', nullable: true })
  createdBy!: number | null;

  @Column({ name: 'started_at', type: 'timestamptz' })
  startedAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
