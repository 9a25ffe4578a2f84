import { createHash, randomBytes } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RedisService } from '../redis/redis.service';
import type { SessionInfo } from './principal';

interface StoredSession {
  userId: number;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  absoluteExpiresAt: number;
  ip: string;
  userAgent: string;
}

export interface ActiveSession extends SessionInfo {
  userId: number;
  ip: string;
  userAgent: string;
}

export interface SessionMeta {
  ip: string;
  userAgent: string;
}

interface LocalEntry {
  id: string;
  stored: StoredSession;
  /** `stored` as handed out, built once per read or touch rather than per request. */
  active: ActiveSession;
  fetchedAt: number;
}

const SESSIONS_ENDED_CHANNEL = 'sessions-ended';
const LOCAL_CACHE_MS = 1_000;
const LOCAL_CACHE_MAX_ENTRIES = 10_000;

/**
 * Server-side sessions in Redis (docs/api.md §1.3): listable and revocable per user, with an idle timeout
 * (the key's TTL, refreshed as the session is used) and an absolute lifetime. The cookie holds a random
 * secret; Redis holds only its SHA-256, which is also the session's public id.
 */
@Injectable()
export class SessionStore implements OnModuleInit {
  /**
   * Sessions read from Redis in the last LOCAL_CACHE_MS, keyed by the cookie secret itself so that a hit
   * costs no hashing. The secret stays in this process's memory, as it already does for the request.
   */
  private readonly local = new Map<string, LocalEntry>();
  private readonly endedListeners = new Set<(ids: readonly string[]) => void>();
  private readonly idleMs: number;
  private readonly maxAgeMs: number;
  /** How stale `lastSeenAt` may get before a request refreshes the TTL: bounds writes on hot paths. */
  private readonly touchAfterMs: number;
  private readonly maxPerUser: number;

  constructor(
    config: AppConfig,
    private readonly redis: RedisService,
  ) {
    this.idleMs = config.values.SESSION_IDLE_TIMEOUT_S * 1000;
    this.maxAgeMs = config.values.SESSION_MAX_AGE_S * 1000;
    this.touchAfterMs = Math.min(60_000, Math.max(250, this.idleMs / 20));
    this.maxPerUser = config.values.SESSION_MAX_PER_USER;
  }

  async create(userId: number, meta: SessionMeta): Promise<{ secret: string; session: ActiveSession }> {
    const secret = randomBytes(32).toString('base64url');
    const id = hashSecret(secret);
    const now = Date.now();
    const stored: StoredSession = {
      userId,
      csrfToken: randomBytes(24).toString('base64url'),
      createdAt: now,
      lastSeenAt: now,
      absoluteExpiresAt: now + this.maxAgeMs,
      ip: meta.ip,
      userAgent: meta.userAgent.slice(0, 300),
    };
    await this.redis.client
      .multi()
      .set(this.sessionKey(id), JSON.stringify(stored), 'PX', this.ttl(stored, now))
      .sadd(this.userKey(userId), id)
      .pexpire(this.userKey(userId), this.maxAgeMs)
      .exec();
    await this.endOldestBeyondCap(userId);
    return { secret, session: this.toActive(id, stored) };
  }

  /** A user keeps at most SESSION_MAX_PER_USER sessions: beyond it, the least recently used end. */
  private async endOldestBeyondCap(userId: number): Promise<void> {
    const sessions = await this.listForUser(userId);
    const surplus = sessions.slice(this.maxPerUser);
    if (surplus.length === 0) return;
    await this.redis.client
      .multi()
      .del(...surplus.map((session) => this.sessionKey(session.id)))
      .srem(this.userKey(userId), ...surplus.map((session) => session.id))
      .exec();
    await this.announceEnded(surplus.map((session) => session.id));
  }

  /**
   * The live session for a cookie secret; null when expired or unknown. Using a session refreshes its idle
   * timeout, unless `touch` is false (public routes such as readiness polls must not keep a session alive).
   */
  async resolve(secret: string, { touch = true }: { touch?: boolean } = {}): Promise<ActiveSession | null> {
    const now = Date.now();
    const entry = this.fromLocalCache(secret, now) ?? (await this.fetch(secret, hashSecret(secret), now));
    if (entry === null) return null;
    const { id, stored } = entry;
    if (now >= stored.absoluteExpiresAt) {
      await this.revoke(id, stored.userId);
      return null;
    }
    if (touch && now - stored.lastSeenAt >= this.touchAfterMs) {
      stored.lastSeenAt = now;
      const kept = await this.redis.client.set(
        this.sessionKey(id),
        JSON.stringify(stored),
        'PX',
        this.ttl(stored, now),
        'XX',
      );
      if (kept === null) {
        this.local.delete(secret);
        return null;
      }
      entry.active = this.toActive(id, stored);
    }
    return entry.active;
  }

  /**
   * What `resolve` would answer, when this instance's cache can tell without Redis: a session that was read
   * less than LOCAL_CACHE_MS ago, is within its lifetimes and needs no touch. Undefined otherwise.
   */
  peek(secret: string, { touch = true }: { touch?: boolean } = {}): ActiveSession | undefined {
    const now = Date.now();
    const cached = this.fromLocalCache(secret, now);
    if (!cached || now >= cached.stored.absoluteExpiresAt) return undefined;
    if (touch && now - cached.stored.lastSeenAt >= this.touchAfterMs) return undefined;
    return cached.active;
  }

  /**
   * Listens for sessions ended on other instances, to drop them from this instance's cache at once; when the
   * subscription was lost and is back, drops the whole cache (endings may have been missed meanwhile).
   */
  async onModuleInit(): Promise<void> {
    this.redis.onInvalidationsResumed(() => {
      this.local.clear();
    });
    await this.redis.subscribe(SESSIONS_ENDED_CHANNEL, (message) => {
      const ids = JSON.parse(message) as string[];
      this.forgetLocally(ids);
      for (const listener of this.endedListeners) listener(ids);
    });
  }

  /** Tells `listener` the ids of sessions ended anywhere (this instance included); returns the unsubscribe. */
  onEnded(listener: (ids: readonly string[]) => void): () => void {
    this.endedListeners.add(listener);
    return () => this.endedListeners.delete(listener);
  }

  /**
   * A session read from Redis less than LOCAL_CACHE_MS ago and not past its idle or absolute end. Saves
   * a Redis round trip on bursts of requests; ended sessions leave every instance's cache through pub/sub,
   * so the cache is used only while that subscription is up.
   */
  private fromLocalCache(secret: string, now: number): LocalEntry | null {
    if (!this.redis.invalidationsLive) return null;
    const entry = this.local.get(secret);
    if (!entry) return null;
    const end = Math.min(entry.stored.lastSeenAt + this.idleMs, entry.stored.absoluteExpiresAt);
    if (now - entry.fetchedAt >= LOCAL_CACHE_MS || now >= end) {
      this.local.delete(secret);
      return null;
    }
    return entry;
  }

  private async fetch(secret: string, id: string, now: number): Promise<LocalEntry | null> {
    const raw = await this.redis.client.get(this.sessionKey(id));
    if (raw === null) return null;
    const stored = JSON.parse(raw) as StoredSession;
    if (this.local.size >= LOCAL_CACHE_MAX_ENTRIES) this.local.clear();
    const entry: LocalEntry = { id, stored, active: this.toActive(id, stored), fetchedAt: now };
    this.local.set(secret, entry);
    return entry;
  }

  /** Drops sessions (by id) from this instance's cache; ending sessions is rare, a scan is fine. */
  private forgetLocally(ids: readonly string[]): void {
    const ended = new Set(ids);
    for (const [secret, entry] of this.local) if (ended.has(entry.id)) this.local.delete(secret);
  }

  /** Extends the idle timeout now (POST /api/session/refresh). */
  async refresh(id: string): Promise<ActiveSession | null> {
    const raw = await this.redis.client.get(this.sessionKey(id));
    if (raw === null) return null;
    const stored = JSON.parse(raw) as StoredSession;
    const now = Date.now();
    stored.lastSeenAt = now;
    await this.redis.client.set(
      this.sessionKey(id),
      JSON.stringify(stored),
      'PX',
      this.ttl(stored, now),
      'XX',
    );
    return this.toActive(id, stored);
  }

  async listForUser(userId: number): Promise<ActiveSession[]> {
    const ids = await this.redis.client.smembers(this.userKey(userId));
    if (ids.length === 0) return [];
    const raws = await this.redis.client.mget(ids.map((id) => this.sessionKey(id)));
    const sessions: ActiveSession[] = [];
    const gone: string[] = [];
    for (const [index, id] of ids.entries()) {
      const raw = raws[index] ?? null;
      if (raw === null) gone.push(id);
      else sessions.push(this.toActive(id, JSON.parse(raw) as StoredSession));
    }
    if (gone.length > 0) await this.redis.client.srem(this.userKey(userId), ...gone);
    return sessions.sort((a, b) => b.lastSeenAt - a.lastSeenAt);
  }

  async revoke(id: string, userId: number): Promise<void> {
    await this.redis.client.multi().del(this.sessionKey(id)).srem(this.userKey(userId), id).exec();
    await this.announceEnded([id]);
  }

  /** Ends every session of a user, except `keepId` when given. Returns how many ended. */
  async revokeAllForUser(userId: number, keepId?: string): Promise<number> {
    const ids = (await this.redis.client.smembers(this.userKey(userId))).filter((id) => id !== keepId);
    if (ids.length === 0) return 0;
    await this.redis.client
      .multi()
      .del(...ids.map((id) => this.sessionKey(id)))
      .srem(this.userKey(userId), ...ids)
      .exec();
    await this.announceEnded(ids);
    return ids.length;
  }

  private async announceEnded(ids: string[]): Promise<void> {
    this.forgetLocally(ids);
    await this.redis.publish(SESSIONS_ENDED_CHANNEL, JSON.stringify(ids));
  }

  async countActive(): Promise<number> {
    let count = 0;
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.client.scan(cursor, 'MATCH', this.sessionKey('*'), 'COUNT', 500);
      cursor = next;
      count += keys.length;
    } while (cursor !== '0');
    return count;
  }

  private ttl(stored: StoredSession, now: number): number {
    return Math.max(1, Math.min(stored.lastSeenAt + this.idleMs, stored.absoluteExpiresAt) - now);
  }

  private toActive(id: string, stored: StoredSession): ActiveSession {
    return {
      id,
      userId: stored.userId,
      csrfToken: stored.csrfToken,
      createdAt: stored.createdAt,
      lastSeenAt: stored.lastSeenAt,
      expiresAt: Math.min(stored.lastSeenAt + this.idleMs, stored.absoluteExpiresAt),
      absoluteExpiresAt: stored.absoluteExpiresAt,
      ip: stored.ip,
      userAgent: stored.userAgent,
    };
  }

  private sessionKey(id: string): string {
    return this.redis.key('session', id);
  }

  private userKey(userId: number): string {
    return this.redis.key('user-sessions', userId);
  }
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
