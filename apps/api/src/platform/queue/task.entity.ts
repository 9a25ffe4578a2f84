import type { TaskItemStatus, TaskStatus } from '@proxdeck/contracts';
import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, UpdateDateColumn } from 'typeorm';
/**
 * A finished step and what it returned: a retry of the task skips it and gets `output` back. `output` is a
 * JsonValue (job-context.ts), typed loosely here because TypeORM's deep-partial types cannot recurse into it.
 */
export interface StepRecord {
  name: string;
  output: unknown;
  finished_at: string;
}

export interface TaskItem {
  name: string;
  status: TaskItemStatus;
  /** The step running now (or waiting, e.g. for a governor slot); null before the first. */
  step: string | null;
  progress: number;
  error: string | null;
  pve_upids: string[];
  /** Finished steps, in order. Absent on items no step has run for. */
  steps?: StepRecord[];
}

/** The durable record of a long job (docs/api.md §4); Bull holds only the execution. */
@Entity({ name: 'tasks' })
@Index('tasks_created_by_created_at_idx', ['createdBy', 'createdAt'])
@Index('tasks_status_idx', ['status'])
export class Task {
  @PrimaryColumn('uuid')
  id!: string;

  /** A job type of the job table. */
  @Column({ type: 'varchar', length: 64 })
  type!: string;

  @Column({ type: 'varchar', length: 16 })
  status!: TaskStatus;

  @Column({ type: 'smallint', default: 0 })
  progress!: number;

  @Column({ type: 'text', nullable: true })
  message!: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  items!: TaskItem[];

  /** The job's input, secrets removed. */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  payload!: Record<string, unknown>;

  /** Finished task-level steps, in order (items keep their own). */
  @Column({ type: 'jsonb', default: () => "'[]'" })
  steps!: StepRecord[];

  @Column({ type: 'jsonb', nullable: true })
  result!: Record<string, unknown> | null;

  @Column({ type: 'text', nullable: true })
  error!: string | null;

  @Column({ type: 'smallint', default: 0 })
  attempts!: number;

  @Column({ name: 'created_by', type: 'integer', nullable: true })
  createdBy!: number | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt!: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;

  /** Set by POST /api/tasks/<id>/cancel: items not started yet are cancelled instead of run. */
  @Column({ name: 'cancel_requested_at', type: 'timestamptz', nullable: true })
  cancelRequestedAt!: Date | null;
}
