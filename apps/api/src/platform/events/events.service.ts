import { Injectable } from '@nestjs/common';
import type { SseEventMap, SseEventName } from '@proxdeck/contracts';
import { RedisService } from '../redis/redis.service';

/** Who may see an event: one user, or everyone holding `view_all` (and the user it concerns). */
export interface EventAudience {
  userId: number | null;
  broadcast: boolean;
}

export interface PublishedEvent<E extends SseEventName = SseEventName> {
  event: E;
  data: SseEventMap[E];
  audience: EventAudience;
}

const EVENTS_CHANNEL = 'events';

/**
 * Publishes live events through Redis so that every API instance (and so every browser) receives what a
 * worker process raised. The SSE stream subscribes to the same channel.
 */
@Injectable()
export class EventsService {
  constructor(private readonly redis: RedisService) {}

  async publish<E extends SseEventName>(
    event: E,
    data: SseEventMap[E],
    audience: EventAudience,
  ): Promise<void> {
    const message: PublishedEvent<E> = { event, data, audience };
    await this.redis.publish(EVENTS_CHANNEL, JSON.stringify(message));
  }

  async subscribe(handler: (event: PublishedEvent) => void): Promise<void> {
    await this.redis.subscribe(EVENTS_CHANNEL, (message) => {
      handler(JSON.parse(message) as PublishedEvent);
    });
  }
}
