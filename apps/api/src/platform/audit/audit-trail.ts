import { Injectable } from '@nestjs/common';
import { DataSource, type SelectQueryBuilder } from 'typeorm';
import { AuditEntry, type AuditResult } from './audit-entry.entity';

export interface AuditFilter {
  actor?: string;
  action?: string;
  target?: string;
  result?: AuditResult;
  task_id?: string;
  from?: Date;
  to?: Date;
}

/** A row as read: the entry and the Proxmox UPIDs its task recorded on its items (known when read). */
export interface AuditRecord {
  entry: AuditEntry;
  upids: string[];
}

/** Reading the audit trail: filtered pages, newest first, each row with the UPIDs its task produced. */
@Injectable()
export class AuditTrail {
  constructor(private readonly dataSource: DataSource) {}

  async page(
    filter: AuditFilter,
    page: number,
    perPage: number,
  ): Promise<{ items: AuditRecord[]; total: number }> {
    const total = await this.filtered(filter).getCount();
    const items = await this.read(filter, (page - 1) * perPage, perPage);
    return { items, total };
  }

  /** At most `limit` rows, newest first (the CSV export). */
  all(filter: AuditFilter, limit: number): Promise<AuditRecord[]> {
    return this.read(filter, 0, limit);
  }

  async count(): Promise<number> {
    return this.dataSource.getRepository(AuditEntry).count();
  }

  /**
   * Deletes the entries older than `before`; returns how many. The log is append-only in the database: a
   * deletion is let through only inside a transaction that says it prunes, and only for entries older than
   * 30 days (migration AuditRetention), so a retention set lower deletes nothing younger than that.
   */
  async pruneBefore(before: Date): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query("SELECT set_config('proxdeck.audit_prune', 'on', true)");
      const [, affected] = await manager.query<[unknown, number]>(
        "DELETE FROM audit_log WHERE at < $1 AND at < now() - interval '30 days'",
        [before],
      );
      return affected;
    });
  }

  private async read(filter: AuditFilter, offset: number, limit: number): Promise<AuditRecord[]> {
    const query = this.filtered(filter)
      .orderBy('audit.at', 'DESC')
      .addOrderBy('audit.id', 'DESC')
      .offset(offset)
      .limit(limit);
    const entries = await query.getMany();
    const taskIds = [...new Set(entries.map((entry) => entry.taskId).filter((id) => id !== null))];
    const upidsByTask = new Map<string, string[]>();
    if (taskIds.length > 0) {
      const rows: { id: string; upids: string[] | null }[] = await this.dataSource.query(
        `SELECT t.id::text AS id,
                (SELECT coalesce(jsonb_agg(u), '[]'::jsonb)
                   FROM jsonb_array_elements(t.items) item,
                        jsonb_array_elements_text(coalesce(item->'pve_upids', '[]'::jsonb)) u) AS upids
           FROM tasks t WHERE t.id = ANY($1::uuid[])`,
        [taskIds],
      );
      for (const row of rows) upidsByTask.set(row.id, row.upids ?? []);
    }
    return entries.map((entry) => ({
      entry,
      upids: entry.taskId ? (upidsByTask.get(entry.taskId) ?? []) : [],
    }));
  }

  private filtered(filter: AuditFilter): SelectQueryBuilder<AuditEntry> {
    const query = this.dataSource.getRepository(AuditEntry).createQueryBuilder('audit');
    if (filter.actor) query.andWhere('audit.actor_username = :actor', { actor: filter.actor.toLowerCase() });
    if (filter.action)
      query.andWhere('audit.action ILIKE :action', { action: `%${escapeLike(filter.action)}%` });
    if (filter.target)
      query.andWhere('audit.target ILIKE :target', { target: `%${escapeLike(filter.target)}%` });
    if (filter.result) query.andWhere('audit.result = :result', { result: filter.result });
    if (filter.task_id) query.andWhere('audit.task_id = :taskId', { taskId: filter.task_id });
    if (filter.from) query.andWhere('audit.at >= :from', { from: filter.from });
    if (filter.to) query.andWhere('audit.at < :to', { to: filter.to });
    return query;
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}
