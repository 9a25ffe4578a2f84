import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { NotificationEvent, NotificationStateEvent } from '@proxdeck/contracts';
import { LessThan, QueryFailedError, type Repository, type SelectQueryBuilder } from 'typeorm';
import type { Principal } from '../../platform/access/principal';
import { NotFoundError } from '../../platform/errors/app-error';
import { EventsService } from '../../platform/events/events.service';
import { User } from '../users';
import { Notification, type NotificationSeverity } from './notification.entity';
import { NotificationState } from './notification-state.entity';

/** What raising a notification takes; no recipient means a broadcast (everyone with view_all). */
export interface NewNotification {
  type: string;
  severity: NotificationSeverity;
  title: string;
  message: string;
  details?: Record<string, unknown> | null;
  taskId?: string | null;
  server?: string | null;
  recipientId: number | null;
}

export interface NotificationFilters {
  unread?: boolean;
  severity?: NotificationSeverity;
  type?: string;
}

/** A notification as one user sees it. */
export type SeenNotification = Notification & { read: boolean };

/** A notification with the reader's read state (entities are fresh per query: set on the object itself). */
function withReadState(notification: Notification, read: boolean): SeenNotification {
  return Object.assign(notification, { read });
}

export function toNotificationEvent(notification: SeenNotification): NotificationEvent {
  return {
    id: notification.id,
    type: notification.type,
    severity: notification.severity,
    title: notification.title,
    message: notification.message,
    details: notification.details,
    task_id: notification.taskId,
    server: notification.server,
    read: notification.read,
    created_at: notification.createdAt.toISOString(),
  };
}

/**
 * Notifications (docs/api.md §9): raised by any process, kept in Postgres, each user's read and hidden
 * state kept apart (a broadcast one user reads stays unread for the others), sent live as `notification`
 * events to the recipient, or to everyone with view_all for a broadcast.
 */
@Injectable()
export class NotificationsService {
  constructor(
    @InjectRepository(Notification) private readonly notifications: Repository<Notification>,
    @InjectRepository(NotificationState) private readonly states: Repository<NotificationState>,
    private readonly events: EventsService,
  ) {}

  /**
   * Stores the notification and announces it. Null, and nothing stored, when its recipient no longer exists (a
   * task outliving the user who started it): a user's notifications go with the user.
   */
  async raise(input: NewNotification): Promise<Notification | null> {
    if (
      input.recipientId !== null &&
      !(await this.notifications.manager.existsBy(User, { id: input.recipientId }))
    )
      return null;
    let saved: Notification;
    try {
      saved = await this.notifications.save(
        this.notifications.create({
          type: input.type,
          severity: input.severity,
          title: input.title.slice(0, 200),
          message: input.message,
          details: input.details ?? null,
          taskId: input.taskId ?? null,
          server: input.server ?? null,
          recipientId: input.recipientId,
        }),
      );
    } catch (error) {
      // Deleted between the check and the insert.
      if (input.recipientId !== null && isForeignKeyViolation(error)) return null;
      throw error;
    }
    await this.events.publish('notification', toNotificationEvent(withReadState(saved, false)), {
      userId: input.recipientId,
      broadcast: input.recipientId === null,
    });
    return saved;
  }

  async list(
    principal: Principal,
    filters: NotificationFilters,
    page: { offset: number; limit: number },
  ): Promise<{ items: SeenNotification[]; total: number }> {
    const query = this.visibleTo(principal, filters);
    const total = await query.getCount();
    const rows = await query
      .orderBy('n.id', 'DESC')
      .offset(page.offset)
      .limit(page.limit)
      .getRawAndEntities();
    return { items: this.seen(rows), total };
  }

  /** The newest visible notifications, after `sinceId` when given. */
  async latest(principal: Principal, limit: number, sinceId?: number): Promise<SeenNotification[]> {
    const query = this.visibleTo(principal, {});
    if (sinceId !== undefined) query.andWhere('n.id > :sinceId', { sinceId });
    return this.seen(await query.orderBy('n.id', 'DESC').limit(limit).getRawAndEntities());
  }

  async unreadCount(principal: Principal): Promise<number> {
    return this.visibleTo(principal, { unread: true }).getCount();
  }

  /** One notification the caller can see (and has not hidden), else 404. */
  async get(principal: Principal, id: number): Promise<SeenNotification> {
    const [found] = this.seen(
      await this.visibleTo(principal, {}).andWhere('n.id = :id', { id }).getRawAndEntities(),
    );
    if (!found) throw new NotFoundError(`Notification ${String(id)}`);
    return found;
  }

  /** Marks one read for the caller only. */
  async markRead(principal: Principal, id: number): Promise<SeenNotification> {
    const notification = await this.get(principal, id);
    await this.upsertState(notification.id, principal.user.id, 'read_at');
    await this.announceStateChange(principal, 'read', [notification.id]);
    return withReadState(notification, true);
  }

  /** Hides one for the caller only. */
  async hide(principal: Principal, id: number): Promise<void> {
    const notification = await this.get(principal, id);
    await this.upsertState(notification.id, principal.user.id, 'hidden_at');
    await this.announceStateChange(principal, 'hidden', [notification.id]);
  }

  /** Hides everything the caller sees, for the caller only. Returns how many. */
  async clearAll(principal: Principal): Promise<number> {
    const ids = (await this.visibleTo(principal, {}).select('n.id', 'id').getRawMany<{ id: number }>()).map(
      (row) => row.id,
    );
    if (ids.length === 0) return 0;
    await this.states.manager.query(
      `INSERT INTO notification_states (notification_id, user_id, hidden_at)
       SELECT unnest($1::int[]), $2, now()
       ON CONFLICT (notification_id, user_id) DO UPDATE SET hidden_at = now()`,
      [ids, principal.user.id],
    );
    await this.announceStateChange(principal, 'cleared', ids);
    return ids.length;
  }

  /** Deletes notifications created before `before`; returns how many. */
  async pruneBefore(before: Date): Promise<number> {
    return (await this.notifications.delete({ createdAt: LessThan(before) })).affected ?? 0;
  }

  /** The caller's notifications: their own and, with view_all, broadcasts; without those they hid. */
  private visibleTo(principal: Principal, filters: NotificationFilters): SelectQueryBuilder<Notification> {
    const query = this.notifications
      .createQueryBuilder('n')
      .leftJoin(NotificationState, 's', 's.notification_id = n.id AND s.user_id = :userId', {
        userId: principal.user.id,
      })
      .addSelect('s.read_at', 'state_read_at')
      .where(
        principal.permissions.has('view_all')
          ? '(n.recipient_id = :userId OR n.recipient_id IS NULL)'
          : 'n.recipient_id = :userId',
        { userId: principal.user.id },
      )
      .andWhere('s.hidden_at IS NULL');
    if (filters.unread === true) query.andWhere('s.read_at IS NULL');
    if (filters.unread === false) query.andWhere('s.read_at IS NOT NULL');
    if (filters.severity) query.andWhere('n.severity = :severity', { severity: filters.severity });
    if (filters.type) query.andWhere('n.type = :type', { type: filters.type });
    return query;
  }

  private seen({
    entities,
    raw,
  }: {
    entities: Notification[];
    raw: Record<string, unknown>[];
  }): SeenNotification[] {
    return entities.map((entity, index) => withReadState(entity, raw[index]?.state_read_at != null));
  }

  /** Tells the caller's other tabs (and only the caller: the state is theirs) what they changed. */
  private async announceStateChange(
    principal: Principal,
    change: NotificationStateEvent['change'],
    ids: number[],
  ): Promise<void> {
    await this.events.publish(
      'notification_state',
      { change, ids },
      { userId: principal.user.id, broadcast: false },
    );
  }

  private async upsertState(
    notificationId: number,
    userId: number,
    column: 'read_at' | 'hidden_at',
  ): Promise<void> {
    await this.states.manager.query(
      `INSERT INTO notification_states (notification_id, user_id, ${column}) VALUES ($1, $2, now())
       ON CONFLICT (notification_id, user_id) DO UPDATE SET ${column} = COALESCE(notification_states.${column}, now())`,
      [notificationId, userId],
    );
  }
}

/** Postgres refused a row whose foreign key points at nothing (here: a recipient deleted meanwhile). */
function isForeignKeyViolation(error: unknown): boolean {
  return (
    error instanceof QueryFailedError &&
    (error.driverError as { code?: string } | undefined)?.code === '23503'
  );
}
