import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { RateLimitedError } from '../../platform/errors/app-error';
import { RedisService } from '../../platform/redis/redis.service';

/**
 * Login throttling per username (api.md §1.3): after LOGIN_MAX_FAILURES failures within
 * LOGIN_FAILURE_WINDOW_S, further tries get 429 with Retry-After until the oldest failure leaves the window.
 * A sliding window in a Redis sorted set, so every API instance counts the same failures.
 */
@Injectable()
export class LoginThrottle {
  private readonly windowMs: number;
  private readonly maxFailures: number;

  constructor(
    config: AppConfig,
    private readonly redis: RedisService,
  ) {
    this.windowMs = config.values.LOGIN_FAILURE_WINDOW_S * 1000;
    this.maxFailures = config.values.LOGIN_MAX_FAILURES;
  }

  /** Throws RateLimitedError while the username is locked out. */
  async assertAllowed(username: string): Promise<void> {
    const key = this.key(username);
    const now = Date.now();
    const [, oldest] = (await this.redis.client
      .multi()
      .zremrangebyscore(key, 0, now - this.windowMs)
      .zrange(key, 0, -1, 'WITHSCORES')
      .exec()) as [[Error | null, number], [Error | null, string[]]];
    const scores = oldest[1].filter((_value, index) => index % 2 === 1).map(Number);
    if (scores.length < this.maxFailures) return;
    const unlockAt = (scores[scores.length - this.maxFailures] ?? now) + this.windowMs;
    const retryAfterS = Math.max(1, Math.ceil((unlockAt - now) / 1000));
    throw new RateLimitedError(
      `Too many failed logins for this user; try again in ${retryAfterS} s`,
      retryAfterS,
    );
  }

  async recordFailure(username: string): Promise<void> {
    const key = this.key(username);
    const now = Date.now();
    await this.redis.client
      .multi()
      .zadd(key, now, `${now}-${Math.random().toString(36).slice(2)}`)
      .pexpire(key, this.windowMs)
      .exec();
  }

  async reset(username: string): Promise<void> {
    await this.redis.client.del(this.key(username));
  }

  private key(username: string): string {
    return this.redis.key('login-failures', username.toLowerCase());
  }
}
