import { Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One change someone asked for (docs/api.md §11): every mutating request, refused and failed ones included,
 * logins and logouts. Append-only: a trigger refuses UPDATE, DELETE and TRUNCATE (migration AuditLog).
 * Who asked is copied in (username), so that the row outlives the user.
 */
@Entity({ name: 'audit_log' })
@Index('audit_log_at_idx', ['at'])
@Index('audit_log_actor_idx', ['actorUsername', 'at'])
@Index('audit_log_task_id_idx', ['taskId'])
export class AuditEntry {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  at!: Date;

  @Column({ name: 'actor_user_id', type: 'integer', nullable: true })
  actorUserId!: number | null;

  /** The user acting, or for a failed login the username tried; null for anonymous callers. */
  @Column({ name: 'actor_username', type: 'varchar', length: 64, nullable: true })
  actorUsername!: string | null;

  /** The API token the request came with, when it came with one. */
  @Column({ name: 'actor_token_id', type: 'uuid', nullable: true })
  actorTokenId!: string | null;

  /** `session`, `token`, or null (anonymous). */
  @Column({ type: 'varchar', length: 8, nullable: true })
  via!: 'session' | 'token' | null;

  /** The route: `POST /api/users/:username/password`. */
  @Column({ type: 'varchar', length: 200 })
  action!: string;

  @Column({ type: 'varchar', length: 300, nullable: true })
  target!: string | null;

  /** Path parameters, query and body, secrets redacted. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  params!: Record<string, unknown>;

  @Column({ type: 'smallint' })
  status!: number;

  /** `succeeded`, `refused` (401/403/429), `invalid` (other 4xx) or `failed` (5xx). */
  @Column({ type: 'varchar', length: 16 })
  result!: AuditResult;

  @Column({ name: 'error_code', type: 'varchar', length: 64, nullable: true })
  errorCode!: string | null;

  @Column({ name: 'task_id', type: 'uuid', nullable: true })
  taskId!: string | null;

  @Column({ type: 'varchar', length: 64 })
  ip!: string;

  @Column({ name: 'request_id', type: 'varchar', length: 64 })
  requestId!: string;
}

export const AUDIT_RESULTS = ['succeeded', 'refused', 'invalid', 'failed'] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];
