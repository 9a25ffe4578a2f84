import { Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/app-config';

/** The shared Redis connections: one for commands (auto-pipelined), one for subscriptions. */
@Injectable()
export class RedisService implements OnApplicationShutdown {
  private readonly logger = new Logger(RedisService.name);
  readonly client: Redis;
  private subscriberConnection: Redis | null = null;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();
  private subscriberLive = false;
  private subscriberWasLive = false;
  private readonly resumedHandlers = new Set<() => void>();

  constructor(private readonly config: AppConfig) {
    this.client = this.connect('commands');
  }

  /** Prefixes a key with REDIS_PREFIX so that several installations (and test runs) share one Redis. */
  key(...parts: (string | number)[]): string {
    return [this.config.values.REDIS_PREFIX, ...parts].join(':');
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.client.publish(this.key('channel', channel), message);
  }

  async subscribe(channel: string, handler: (message: string) => void): Promise<void> {
    const fullName = this.key('channel', channel);
    let set = this.handlers.get(fullName);
    if (!set) {
      set = new Set();
      this.handlers.set(fullName, set);
      await this.subscriber().subscribe(fullName);
    }
    set.add(handler);
  }

  /**
   * True while the subscription connection is up. Caches that other instances invalidate through pub/sub
   * (sessions, users) are trusted only then: while it is down, their invalidations would be lost.
   */
  get invalidationsLive(): boolean {
    return this.subscriberLive;
  }

  /** Called each time the subscription connection is back after a loss (invalidations may have been missed). */
  onInvalidationsResumed(handler: () => void): void {
    this.resumedHandlers.add(handler);
  }

  /** The subscription connection (created on first use), for tests that cut it. */
  get subscriptionConnection(): Redis {
    return this.subscriber();
  }

  async ping(): Promise<void> {
    await this.client.ping();
  }

  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([this.client.quit(), this.subscriberConnection?.quit()]);
  }

  private subscriber(): Redis {
    if (!this.subscriberConnection) {
      const connection = this.connect('subscriber');
      connection.on('message', (channel: string, message: string) => {
        for (const handler of this.handlers.get(channel) ?? []) handler(message);
      });
      connection.on('ready', () => {
        this.subscriberLive = true;
        if (this.subscriberWasLive) for (const handler of this.resumedHandlers) handler();
        this.subscriberWasLive = true;
      });
      const lost = (): void => {
        this.subscriberLive = false;
      };
      connection.on('close', lost);
      connection.on('end', lost);
      connection.on('reconnecting', lost);
      this.subscriberConnection = connection;
    }
    return this.subscriberConnection;
  }

  /** A connection of its own, for blocking commands (XREAD BLOCK) that would stall the shared one. */
  createConnection(role: string): Redis {
    return this.connect(role);
  }

  private connect(role: string): Redis {
    const connection = new Redis(this.config.values.REDIS_URL, {
      enableAutoPipelining: true,
      maxRetriesPerRequest: 2,
      connectionName: `proxdeck-${role}`,
    });
    connection.on('error', (error: Error) => {
      this.logger.warn(`Redis (${role}): ${error.message}`);
    });
    return connection;
  }
}
