import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { RateLimitedError } from '../../platform/errors/app-error';
import { RedisService } from '../../platform/redis/redis.service';

/**
 * Reserves one attempt in every window, or none: each window is a sorted set of attempts scored by Redis
 * time; entries older than the window go first. An attempt is reserved BEFORE its password is checked, so
 * requests sent at once cannot all pass a count taken before any of them failed.
 * KEYS: the windows. ARGV: member, window ms, then one limit per key.
 * Returns {1} when reserved, or {0, index of the full window, ms until it has room}.
 */
const RESERVE = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local window = tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  local limit = tonumber(ARGV[2 + i])
  local count = redis.call('ZCARD', key)
  if count >= limit then
    local oldest = redis.call('ZRANGE', key, count - limit, count - limit, 'WITHSCORES')
    return {0, i, tonumber(oldest[2]) + window - now}
  end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, now, ARGV[1])
  redis.call('PEXPIRE', key, window)
end
return {1}`;

/** Full windows remembered in-process at most (a flood of usernames must not grow memory without end). */
const MAX_BLOCKED_KEYS = 10_000;

/** A window an attempt counts against: a key and its limit, and what to say when it is full. */
export interface ThrottleWindow {
  key: string;
  limit: number;
  refusal: string;
}

/** One reserved attempt: it stays counted as a failure unless it succeeded. */
export interface ThrottledAttempt {
  /** The credentials were right: the first window (the account's) starts afresh; the attempt is dropped. */
  succeeded(): Promise<void>;
  /** Nothing was checked (the server was busy): the attempt is given back. */
  withdrawn(): Promise<void>;
}

/**
 * Throttling of password checks (docs/api.md §1.3): after LOGIN_MAX_FAILURES failures for one username within
 * LOGIN_FAILURE_WINDOW_S, and LOGIN_MAX_FAILURES_PER_ADDRESS from one client address, further tries get 429
 * with Retry-After. Sliding windows in Redis, shared by every API instance; attempts are reserved atomically
 * before the password is hashed, so a burst of wrong passwords sent at once costs at most the limit in checks.
 */
@Injectable()
export class LoginThrottle {
  private readonly windowMs: number;
  /**
   * Windows this instance found full, and until when: a full window only frees with time (a success cannot
   * happen while it is full), so a burst against a blocked username or address is refused here, before any
   * parsing, validation or Redis round trip.
   */
  private readonly blockedUntil = new Map<string, { until: number; refusal: string }>();

  constructor(
    private readonly config: AppConfig,
    private readonly redis: RedisService,
  ) {
    this.windowMs = config.values.LOGIN_FAILURE_WINDOW_S * 1000;
  }

  /** The windows of a login: the username's, then the client address's. */
  loginWindows(username: string, address: string): ThrottleWindow[] {
    return [
      {
        key: this.redis.key('login-failures', username.toLowerCase()),
        limit: this.config.values.LOGIN_MAX_FAILURES,
        refusal: 'Too many failed logins for this user',
      },
      this.addressWindow(address),
    ];
  }

  /** The window of failed logins from one client address. */
  addressWindow(address: string): ThrottleWindow {
    return {
      key: this.redis.key('login-failures-from', address),
      limit: this.config.values.LOGIN_MAX_FAILURES_PER_ADDRESS,
      refusal: 'Too many failed logins from this address',
    };
  }

  /** The window of password confirmations by a signed-in user (change-password). */
  confirmationWindows(userId: number): ThrottleWindow[] {
    return [
      {
        key: this.redis.key('password-confirm-failures', userId),
        limit: this.config.values.LOGIN_MAX_FAILURES,
        refusal: 'Too many wrong current passwords',
      },
    ];
  }

  /** Throws RateLimitedError at once when this instance already knows one of the windows is full. */
  assertNotBlocked(windows: readonly Pick<ThrottleWindow, 'key'>[]): void {
    const now = Date.now();
    for (const { key } of windows) {
      const blocked = this.blockedUntil.get(key);
      if (!blocked) continue;
      if (blocked.until <= now) {
        this.blockedUntil.delete(key);
        continue;
      }
      const retryAfterS = Math.max(1, Math.ceil((blocked.until - now) / 1000));
      throw new RateLimitedError(`${blocked.refusal}; try again in ${retryAfterS} s`, retryAfterS);
    }
  }

  /** Reserves an attempt in every window, or throws RateLimitedError naming the full one. */
  async reserve(windows: ThrottleWindow[]): Promise<ThrottledAttempt> {
    this.assertNotBlocked(windows);
    const member = `${Date.now()}-${randomUUID()}`;
    const answer = (await this.redis.client.eval(
      RESERVE,
      windows.length,
      ...windows.map((window) => window.key),
      member,
      this.windowMs,
      ...windows.map((window) => window.limit),
    )) as [number, number?, number?];
    if (answer[0] !== 1) {
      const full = windows[(answer[1] ?? 1) - 1];
      const waitMs = answer[2] ?? this.windowMs;
      const retryAfterS = Math.max(1, Math.ceil(waitMs / 1000));
      if (full) {
        if (this.blockedUntil.size >= MAX_BLOCKED_KEYS) this.blockedUntil.clear();
        this.blockedUntil.set(full.key, { until: Date.now() + waitMs, refusal: full.refusal });
      }
      throw new RateLimitedError(
        `${full?.refusal ?? 'Too many attempts'}; try again in ${retryAfterS} s`,
        retryAfterS,
      );
    }
    const release = async (resetFirst: boolean): Promise<void> => {
      const pipeline = this.redis.client.multi();
      windows.forEach((window, index) => {
        if (resetFirst && index === 0) pipeline.del(window.key);
        else pipeline.zrem(window.key, member);
      });
      await pipeline.exec();
    };
    return { succeeded: () => release(true), withdrawn: () => release(false) };
  }
}
