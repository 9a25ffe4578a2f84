import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from '../users';
import { Notification } from './notification.entity';

/**
 * One user's view of one notification: read, hidden. A broadcast read or hidden by one user stays unread and
 * visible for the others. No row: unread and visible.
 */
@Entity({ name: 'notification_states' })
export class NotificationState {
  @PrimaryColumn({ name: 'notification_id', type: 'integer' })
  notificationId!: number;

  @PrimaryColumn({ name: 'user_id', type: 'integer' })
  userId!: number;

  @ManyToOne(() => Notification, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'notification_id' })
  notification?: Notification;

  /** A user's read and hidden marks go with the user. */
  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ name: 'read_at', type: 'timestamptz', nullable: true })
  readAt!: Date | null;

  @Column({ name: 'hidden_at', type: 'timestamptz', nullable: true })
  hiddenAt!: Date | null;
}
