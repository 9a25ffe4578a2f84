import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { ServerEvent } from './server-event.entity';

export interface ServerEventInput {
  action: string;
  outcome: 'requested' | 'completed' | 'failed';
  actor: string | null;
  detail?: string;
  taskId?: string | null;
}

/** A server's own history (server_events): written where something is asked of a server and where it ends. */
@Injectable()
export class ServerHistory {
  constructor(@InjectRepository(ServerEvent) private readonly events: Repository<ServerEvent>) {}

  async record(serverNames: readonly string[], event: ServerEventInput): Promise<void> {
    if (serverNames.length === 0) return;
    await this.events.insert(
      serverNames.map((serverName) => ({
        serverName,
        action: event.action,
        outcome: event.outcome,
        actor: event.actor,
        detail: event.detail ?? '',
        taskId: event.taskId ?? null,
      })),
    );
  }

  /**
   * What Proxdeck last made of each server's power, by name: `running` after a completed start or reboot,
   * `stopped` after a completed stop. A server Proxdeck never started or stopped is absent.
   */
  async powerIntents(): Promise<Map<string, 'running' | 'stopped'>> {
    const rows = await this.events.query<{ server_name: string; action: string }[]>(
      `SELECT DISTINCT ON (server_name) server_name, action FROM server_events
        WHERE outcome = 'completed' AND action IN ('start', 'stop', 'reboot')
        ORDER BY server_name, id DESC`,
    );
    return new Map(rows.map((row) => [row.server_name, row.action === 'stop' ? 'stopped' : 'running']));
  }

  /** The latest events of a server, newest first. */
  async latest(serverName: string, limit: number): Promise<ServerEvent[]> {
    return this.events.find({ where: { serverName }, order: { id: 'DESC' }, take: limit });
  }
}
