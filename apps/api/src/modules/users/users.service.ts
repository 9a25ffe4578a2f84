import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { AuthUser } from '../../platform/access/principal';
import { RedisService } from '../../platform/redis/redis.service';
import { PasswordHashing, passwordHasher } from './password-hasher';
import { User } from './user.entity';

const USER_CHANGED_CHANNEL = 'user-changed';
const CACHE_TTL_MS = 30_000;

/** Precomputed once so that unknown usernames cost as much as wrong passwords. */
const DUMMY_HASH_PROMISE = passwordHasher.hash('proxdeck-timing-equaliser');

/**
 * Users as the rest of the application sees them. Lookups for every authenticated request go through a
 * short in-process cache that every instance drops at once when a user changes (Redis pub/sub).
 */
@Injectable()
export class UsersService implements OnModuleInit {
  private readonly cache = new Map<number, { user: AuthUser; at: number }>();
  private readonly changeListeners = new Set<(userId: number) => void>();

  constructor(
    @InjectRepository(User) private readonly users: Repository<User>,
    private readonly redis: RedisService,
    private readonly hashing: PasswordHashing,
  ) {}

  /** Drops a changed user on every instance at once; drops every user when the subscription was lost. */
  async onModuleInit(): Promise<void> {
    this.redis.onInvalidationsResumed(() => {
      this.cache.clear();
    });
    await this.redis.subscribe(USER_CHANGED_CHANNEL, (message) => {
      const id = Number(message);
      this.cache.delete(id);
      for (const listener of this.changeListeners) listener(id);
    });
  }

  /** Tells `listener` of every user changed anywhere; returns the unsubscribe. */
  onChanged(listener: (userId: number) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** An active user by id, or null. Served from the cache on hot paths. */
  async findActive(id: number): Promise<AuthUser | null> {
    const cached = this.peekActive(id);
    if (cached !== undefined) return cached;
    const user = await this.users.findOne({ where: { id } });
    if (!user) {
      this.cache.delete(id);
      return null;
    }
    const authUser = toAuthUser(user);
    this.cache.set(id, { user: authUser, at: Date.now() });
    return authUser.isActive ? authUser : null;
  }

  /**
   * What `findActive` would answer from the cache alone: the user, null when inactive, undefined when not
   * cached, or when changes made elsewhere could not reach this instance (its subscription is down).
   */
  peekActive(id: number): AuthUser | null | undefined {
    if (!this.redis.invalidationsLive) return undefined;
    const cached = this.cache.get(id);
    if (!cached || Date.now() - cached.at >= CACHE_TTL_MS) return undefined;
    return cached.user.isActive ? cached.user : null;
  }

  /**
   * Checks a username and password; the same cost and the same null for unknown users and wrong passwords.
   * A right password stored with older hashing parameters is hashed again with the current ones.
   */
  async verifyCredentials(username: string, password: string): Promise<AuthUser | null> {
    const user = await this.users.findOne({ where: { username: username.toLowerCase() } });
    if (!user) {
      await this.hashing.verify(await DUMMY_HASH_PROMISE, password);
      return null;
    }
    const valid = await this.hashing.verify(user.passwordHash, password);
    if (!valid || !user.isActive) return null;
    if (passwordHasher.needsRehash(user.passwordHash)) {
      await this.users.update({ id: user.id }, { passwordHash: await this.hashing.hash(password) });
    }
    return toAuthUser(user);
  }

  async recordLogin(id: number): Promise<void> {
    await this.users.update({ id }, { lastLoginAt: new Date() });
    await this.changed(id);
  }

  async verifyPassword(id: number, password: string): Promise<boolean> {
    const user = await this.users.findOne({ where: { id }, select: { id: true, passwordHash: true } });
    return user !== null && (await this.hashing.verify(user.passwordHash, password));
  }

  async setPassword(id: number, password: string): Promise<void> {
    await this.users.update(
      { id },
      { passwordHash: await this.hashing.hash(password), passwordChangedAt: new Date() },
    );
    await this.changed(id);
  }

  /** Tells every instance to drop its cached copy of the user. */
  async changed(id: number): Promise<void> {
    this.cache.delete(id);
    await this.redis.publish(USER_CHANGED_CHANNEL, String(id));
  }
}

export function toAuthUser(user: User): AuthUser {
  return {
    id: user.id,
    username: user.username,
    name: user.name,
    email: user.email,
    role: user.role,
    permissions: user.permissions,
    isActive: user.isActive,
    createdAt: user.createdAt,
    lastLoginAt: user.lastLoginAt,
  };
}
