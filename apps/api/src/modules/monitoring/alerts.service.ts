import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { AlertView } from '@proxdeck/contracts';
import type { PveVmResource } from '@proxdeck/pve-client';
import { In, type Repository } from 'typeorm';
import type { Principal } from '../../platform/access/principal';
import { ConflictError, NotFoundError } from '../../platform/errors/app-error';
import { EventsService } from '../../platform/events/events.service';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import { RedisService } from '../../platform/redis/redis.service';
import { NotificationsService } from '../notifications';
import { ServerHistory, ServersRepository } from '../servers';
import { Alert, type AlertStatus } from './alert.entity';
import {
  conditionsOf,
  evaluate,
  unreachableCondition,
  type AlertCondition,
  type CheckedVm,
} from './alert-rules';
import { thresholdsOf } from './monitoring-settings';
import { MonitoringSettingsService } from './monitoring-settings.service';

const OPEN: AlertStatus[] = ['active', 'acknowledged'];

export function toAlertView(alert: Alert): AlertView {
  return {
    id: alert.id,
    key: alert.key,
    type: alert.type,
    level: alert.level,
    server: alert.server,
    message: alert.message,
    value: alert.value,
    threshold: alert.threshold,
    status: alert.status,
    raised_at: alert.raisedAt.toISOString(),
    acknowledged_at: alert.acknowledgedAt?.toISOString() ?? null,
    acknowledged_by: alert.acknowledgedBy,
    resolved_at: alert.resolvedAt?.toISOString() ?? null,
  };
}

/** What one checker cycle did. */
export interface CheckOutcome {
  reachable: boolean;
  raised: number;
  resolved: number;
  pending: number;
}

/**
 * Alerts (docs/api.md §10): the checker (one read of the cluster per cycle, whatever the number of servers),
 * and the operators' acknowledge and clear. Each raise and resolve sends a broadcast notification; every change
 * is a live `alert` event.
 */
@Injectable()
export class AlertsService {
  private readonly logger = new Logger(AlertsService.name);

  constructor(
    @InjectRepository(Alert) private readonly alerts: Repository<Alert>,
    private readonly servers: ServersRepository,
    private readonly history: ServerHistory,
    private readonly proxmox: ProxmoxConnection,
    private readonly settings: MonitoringSettingsService,
    private readonly redis: RedisService,
    private readonly events: EventsService,
    private readonly notifications: NotificationsService,
  ) {}

  private get pendingKey(): string {
    return this.redis.key('alerts', 'pending');
  }

  /** One checker cycle at `now` (ms; injected by tests). */
  async check(now = Date.now()): Promise<CheckOutcome> {
    const [settings, inventory, intents, open, pendingRaw] = await Promise.all([
      this.settings.current(),
      this.servers.all(),
      this.history.powerIntents(),
      this.alerts.find({ where: { status: In(OPEN) }, select: { id: true, key: true } }),
      this.redis.client.hgetall(this.pendingKey),
    ]);
    const servers = inventory.map((server) => ({
      name: server.name,
      vmid: server.vmid,
      status: server.status,
      expected: intents.get(server.name) ?? (server.origin === 'created' ? ('running' as const) : null),
    }));
    let conditions: AlertCondition[];
    let reachable = true;
    try {
      const resources = await this.proxmox.pve().clusterResources('vm');
      const vms = new Map<number, CheckedVm>(
        resources.filter((r): r is PveVmResource => r.type === 'qemu').map((r) => [r.vmid, r] as const),
      );
      conditions = conditionsOf(
        servers,
        vms,
        thresholdsOf(settings),
        new Set(open.map((alert) => alert.key)),
      );
    } catch (error) {
      // A process shutting down closed its own client: that says nothing of Proxmox, so nothing is recorded.
      if (this.proxmox.closing)
        throw new Error('the process is shutting down: no alert check', { cause: error });
      reachable = false;
      conditions = [unreachableCondition(error instanceof Error ? error.message : String(error))];
    }
    const pending: Record<string, number> = {};
    for (const [key, value] of Object.entries(pendingRaw)) pending[key] = Number(value);
    const result = evaluate({
      reachable,
      conditions,
      open,
      pending,
      now,
      forMs: settings.alert_for_s * 1000,
    });
    const write = this.redis.client.multi().del(this.pendingKey);
    if (Object.keys(result.pending).length > 0) write.hset(this.pendingKey, result.pending);
    await write.exec();

    let raised = 0;
    for (const condition of result.raise) if (await this.raise(condition, now)) raised++;
    let resolved = 0;
    for (const alert of result.resolve) if (await this.resolve(alert.id, now)) resolved++;
    return { reachable, raised, resolved, pending: Object.keys(result.pending).length };
  }

  /** Inserts the alert unless one is open for its key (the partial unique index decides between racers). */
  private async raise(condition: AlertCondition, now: number): Promise<boolean> {
    const rows = await this.alerts
      .createQueryBuilder()
      .insert()
      .values({
        key: condition.key,
        type: condition.type,
        level: condition.level,
        server: condition.server,
        message: condition.message,
        value: condition.value,
        threshold: condition.threshold,
        status: 'active',
        raisedAt: new Date(now),
      })
      .orIgnore()
      .returning('id')
      .execute();
    const id = (rows.raw as { id: number }[])[0]?.id;
    if (id === undefined) return false;
    const alert = await this.alerts.findOneByOrFail({ id });
    await this.announce('raised', alert);
    return true;
  }

  private async resolve(id: number, now: number): Promise<boolean> {
    const result = await this.alerts
      .createQueryBuilder()
      .update()
      .set({ status: 'resolved', resolvedAt: new Date(now) })
      .where('id = :id AND status IN (:...open)', { id, open: OPEN })
      .execute();
    if (!result.affected) return false;
    await this.announce('resolved', await this.alerts.findOneByOrFail({ id }));
    return true;
  }

  private async announce(change: 'raised' | 'resolved', alert: Alert): Promise<void> {
    const view = toAlertView(alert);
    try {
      await this.notifications.raise({
        type: `alert.${change}`,
        severity: change === 'resolved' ? 'success' : alert.level === 'critical' ? 'error' : 'warning',
        title: `${change === 'raised' ? 'Alert' : 'Resolved'}: ${alert.message}`,
        message: change === 'raised' ? alert.message : `No longer the case: ${alert.message}`,
        details: {
          alert_id: alert.id,
          key: alert.key,
          level: alert.level,
          value: alert.value,
          threshold: alert.threshold,
        },
        server: alert.server,
        recipientId: null,
      });
      await this.events.publish(
        'alert',
        { change, alert: view, ids: [alert.id] },
        { userId: null, broadcast: true },
      );
    } catch (error) {
      this.logger.warn(`alert ${String(alert.id)} ${change}, but not announced: ${String(error)}`);
    }
  }

  async list(
    status: AlertStatus | undefined,
    page: { offset: number; limit: number },
  ): Promise<{ items: Alert[]; total: number }> {
    const [items, total] = await this.alerts.findAndCount({
      where: status ? { status } : {},
      order: { id: 'DESC' },
      skip: page.offset,
      take: page.limit,
    });
    return { items, total };
  }

  /** The open alerts (active and acknowledged), newest first. */
  async open(limit: number): Promise<Alert[]> {
    return this.alerts.find({ where: { status: In(OPEN) }, order: { id: 'DESC' }, take: limit });
  }

  async activeCount(): Promise<number> {
    return this.alerts.countBy({ status: 'active' });
  }

  /** Acknowledges an active alert (again: unchanged); a resolved one cannot be (409). */
  async acknowledge(id: number, principal: Principal): Promise<Alert> {
    const alert = await this.alerts.findOneBy({ id });
    if (!alert) throw new NotFoundError(`Alert ${String(id)}`);
    if (alert.status === 'acknowledged') return alert;
    if (alert.status === 'resolved') throw new ConflictError(`Alert ${String(id)} is resolved`);
    const result = await this.alerts
      .createQueryBuilder()
      .update()
      .set({ status: 'acknowledged', acknowledgedAt: new Date(), acknowledgedBy: principal.user.username })
      .where("id = :id AND status = 'active'", { id })
      .execute();
    const after = await this.alerts.findOneByOrFail({ id });
    if (result.affected)
      await this.events.publish(
        'alert',
        { change: 'acknowledged', alert: toAlertView(after), ids: [id] },
        { userId: null, broadcast: true },
      );
    return after;
  }

  /**
   * Removes alerts: the given ones (any status but active: an active alert is acknowledged first), or without
   * ids every acknowledged and resolved one. Returns the ids removed.
   */
  async clear(ids: number[] | undefined): Promise<number[]> {
    const query = this.alerts.createQueryBuilder().delete().where("status IN ('acknowledged', 'resolved')");
    if (ids !== undefined) query.andWhere('id IN (:...ids)', { ids: ids.length > 0 ? ids : [0] });
    const result = await query.returning('id').execute();
    const removed = (result.raw as { id: number }[]).map((row) => row.id).sort((a, b) => a - b);
    if (removed.length > 0)
      await this.events.publish(
        'alert',
        { change: 'cleared', alert: null, ids: removed },
        { userId: null, broadcast: true },
      );
    return removed;
  }
}
