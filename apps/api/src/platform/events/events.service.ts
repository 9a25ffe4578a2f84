import { Injectable } from '@nestjs/common';
import type { SseEventMap, SseEventName } from '@proxdeck/contracts';
import { AppConfig } from '../config/app-config';
import { RedisService } from '../redis/redis.service';

/** Who may see an event: one user, and (broadcast) everyone holding `view_all`. */
export interface EventAudience {
  userId: number | null;
  broadcast: boolean;
}

/** An event as the log keeps it: its id in the log (increasing), name, data and audience. */
export interface LoggedEvent<E extends SseEventName = SseEventName> {
  id: string;
  event: E;
  data: SseEventMap[E];
  audience: EventAudience;
}

/** Redis stream ids (`<ms>-<seq>`) in order. */
export function compareEventIds(a: string, b: string): number {
  const [aMs = 0, aSeq = 0] = a.split('-').map(Number);
  const [bMs = 0, bSeq = 0] = b.split('-').map(Number);
  return aMs !== bMs ? aMs - bMs : aSeq - bSeq;
}

export function parseEntry(id: string, fields: string[]): LoggedEvent | null {
  const values: Record<string, string> = {};
  for (let index = 0; index + 1 < fields.length; index += 2)
    values[fields[index] ?? ''] = fields[index + 1] ?? '';
  if (!values.e || values.d === undefined || values.a === undefined) return null;
  return {
    id,
    event: values.e as SseEventName,
    data: JSON.parse(values.d) as SseEventMap[SseEventName],
    audience: JSON.parse(values.a) as EventAudience,
  };
}

/**
 * The one event log of the installation (docs/api.md §9): a Redis stream every process appends to (API or
 * worker), in order, with increasing ids, kept for EVENTS_RETENTION_S. Any API instance reads it live and
 * replays from it what a client missed (event-hub.ts).
 */
@Injectable()
export class EventsService {
  readonly streamKey: string;
  private readonly retentionMs: number;

  constructor(
    private readonly redis: RedisService,
    config: AppConfig,
  ) {
    this.streamKey = redis.key('events');
    this.retentionMs = config.values.EVENTS_RETENTION_S * 1000;
  }

  /** Appends an event; returns its id. Entries older than the retention are trimmed as it goes. */
  async publish<E extends SseEventName>(
    event: E,
    data: SseEventMap[E],
    audience: EventAudience,
  ): Promise<string> {
    const oldest = Date.now() - this.retentionMs;
    const id = await this.redis.client.xadd(
      this.streamKey,
      'MINID',
      '~',
      String(oldest),
      '*',
      'e',
      event,
      'd',
      JSON.stringify(data),
      'a',
      JSON.stringify(audience),
    );
    return id ?? '';
  }

  /** Appends many events in one round trip, in the order given; returns their ids. */
  async publishMany<E extends SseEventName>(
    event: E,
    entries: readonly { data: SseEventMap[E]; audience: EventAudience }[],
  ): Promise<string[]> {
    if (entries.length === 0) return [];
    const oldest = String(Date.now() - this.retentionMs);
    const pipeline = this.redis.client.pipeline();
    for (const entry of entries)
      pipeline.xadd(
        this.streamKey,
        'MINID',
        '~',
        oldest,
        '*',
        'e',
        event,
        'd',
        JSON.stringify(entry.data),
        'a',
        JSON.stringify(entry.audience),
      );
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, id]) => {
      if (error) throw error;
      return String(id);
    });
  }

  /** Events after `afterId` (exclusive), oldest first, at most `count`. */
  async readAfter(afterId: string, count = 1000): Promise<LoggedEvent[]> {
    const entries = (await this.redis.client.xrange(this.streamKey, `(${afterId}`, '+', 'COUNT', count)) as [
      string,
      string[],
    ][];
    return entries.map(([id, fields]) => parseEntry(id, fields)).filter((entry) => entry !== null);
  }

  /**
   * Whether every event after `afterId` (an id this log gave out) is still in the log. Trimming removes the
   * oldest entries first, so the events after `afterId` are all kept while `afterId` itself is (it is not
   * older than the oldest kept entry); once it is older, events after it may be gone and the client is told to
   * reload. An id the log never reached (Redis lost its data) needs a reload too.
   */
  async canReplayFrom(afterId: string): Promise<boolean> {
    let fields: unknown[];
    try {
      fields = (await this.redis.client.xinfo('STREAM', this.streamKey)) as unknown[];
    } catch {
      return afterId === '0-0'; // no log at all: a client that saw events missed everything since
    }
    const field = (name: string): string => {
      const value = fields[fields.indexOf(name) + 1];
      return typeof value === 'string' || typeof value === 'number' ? String(value) : '0-0';
    };
    const length = Number(field('length'));
    const newest = field('last-generated-id');
    if (compareEventIds(afterId, newest) > 0) return false;
    if (length === 0) return compareEventIds(afterId, newest) === 0;
    return compareEventIds(afterId, field('recorded-first-entry-id')) >= 0;
  }

  /** The id of the newest event, or `0-0` when the log is empty. */
  async lastId(): Promise<string> {
    const newest = (await this.redis.client.xrevrange(this.streamKey, '+', '-', 'COUNT', 1)) as [
      string,
      string[],
    ][];
    return newest[0]?.[0] ?? '0-0';
  }
}
