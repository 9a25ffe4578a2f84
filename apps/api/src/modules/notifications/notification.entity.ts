import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
} from 'typeorm';
import { User } from '../users';

export const NOTIFICATION_SEVERITIES = ['info', 'success', 'warning', 'error'] as const;
export type NotificationSeverity = (typeof NOTIFICATION_SEVERITIES)[number];

/** A notification (docs/api.md §9): to one user, or (recipient null) broadcast to everyone with view_all. */
@Entity({ name: 'notifications' })
@Index('notifications_recipient_id_id_idx', ['recipientId', 'id'])
@Index('notifications_created_at_idx', ['createdAt'])
export class Notification {
  @PrimaryGeneratedColumn({ type: 'integer' })
  id!: number;

  /** What happened, as a stable name: `task.failed`, `task.completed`, `backup.done`, ... */
  @Column({ type: 'varchar', length: 64 })
  type!: string;

  @Column({ type: 'varchar', length: 16 })
  severity!: NotificationSeverity;

  @Column({ type: 'varchar', length: 200 })
  title!: string;

  @Column({ type: 'text' })
  message!: string;

  @Column({ type: 'jsonb', nullable: true })
  details!: Record<string, unknown> | null;

  @Column({ name: 'task_id', type: 'uuid', nullable: true })
  taskId!: string | null;

  @Column({ type: 'varchar', length: 63, nullable: true })
  server!: string | null;

  /** Null: a broadcast. A user's own notifications go with the user. */
  @Column({ name: 'recipient_id', type: 'integer', nullable: true })
  recipientId!: number | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE', nullable: true })
  @JoinColumn({ name: 'recipient_id' })
  recipient?: User | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
