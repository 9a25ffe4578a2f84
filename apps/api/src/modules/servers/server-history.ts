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

  /** The latest events of a server, newest first. */
  async latest(serverName: string, limit: number): Promise<ServerEvent[]> {
    return this.events.find({ where: { serverName }, order: { id: 'DESC' }, take: limit });
  }
}
