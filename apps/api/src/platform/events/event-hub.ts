import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type Redis from 'ioredis';
import { RedisService } from '../redis/redis.service';
import { EventsService, parseEntry, type LoggedEvent } from './events.service';

export type EventListener = (event: LoggedEvent) => void;

/**
 * This API instance's one reader of the event log: a blocking XREAD on a connection of its own, started when
 * the first stream client arrives, handing every event to the instance's listeners (its SSE connections) in
 * order. However many clients an instance serves, Redis sees one reader.
 */
@Injectable()
export class EventHub implements OnApplicationShutdown {
  private readonly logger = new Logger(EventHub.name);
  private readonly listeners = new Set<EventListener>();
  private connection: Redis | null = null;
  private reading: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly events: EventsService,
    private readonly redis: RedisService,
  ) {}

  /** Hands `listener` every event appended from now on; returns the unsubscribe. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    this.reading ??= this.read();
    return () => this.listeners.delete(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.connection?.disconnect();
    await this.reading?.catch(() => undefined);
  }

  /** Read through a method: the loop must see a stop that happens while it awaits. */
  private isStopped(): boolean {
    return this.stopped;
  }

  private async read(): Promise<void> {
    const connection = this.redis.createConnection('events-reader');
    this.connection = connection;
    let position = await this.events.lastId();
    while (!this.isStopped()) {
      let answer: [string, [string, string[]][]][] | null;
      try {
        answer = await connection.xread(
          'COUNT',
          500,
          'BLOCK',
          5_000,
          'STREAMS',
          this.events.streamKey,
          position,
        );
      } catch (error) {
        if (this.isStopped()) return;
        this.logger.warn(
          `Reading the event log failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        await new Promise((resume) => setTimeout(resume, 500));
        continue;
      }
      for (const [id, fields] of answer?.[0]?.[1] ?? []) {
        position = id;
        const event = parseEntry(id, fields);
        if (!event) continue;
        for (const listener of this.listeners) listener(event);
      }
    }
  }
}
