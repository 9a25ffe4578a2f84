import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Permission } from '@proxdeck/contracts';
import type { Repository } from 'typeorm';
import type { TokenGrant } from '../../platform/access/identity';
import { ConflictError, NotFoundError } from '../../platform/errors/app-error';
import { ApiToken } from './api-token.entity';
import { UsersService } from './users.service';

/** How many tokens one user may hold. */
export const MAX_TOKENS_PER_USER = 50;
/** How stale `last_used_at` may get before a use records it again (bounds writes on busy tokens). */
const RECORD_USE_AFTER_MS = 60_000;

export interface TokenView {
  token: ApiToken;
  username: string;
}

/**
 * API tokens (docs/api.md §1.3): `pdk_` and 32 random bytes, shown once; only the SHA-256 is stored. Each use
 * is checked against the database, so a revoked or deleted token stops at once on every instance.
 */
@Injectable()
export class ApiTokensService {
  constructor(
    @InjectRepository(ApiToken) private readonly tokens: Repository<ApiToken>,
    private readonly users: UsersService,
  ) {}

  /** Whether a token still grants anything: it exists and has not expired. */
  async isActive(tokenId: string): Promise<boolean> {
    const token = await this.tokens.findOne({
      where: { id: tokenId },
      select: { id: true, expiresAt: true },
    });
    return token !== null && (token.expiresAt === null || token.expiresAt.getTime() > Date.now());
  }

  async resolve(secret: string, meta: { ip?: string } = {}): Promise<TokenGrant | null> {
    if (!secret.startsWith('pdk_') || secret.length > 200) return null;
    const token = await this.tokens.findOne({ where: { tokenHash: hashToken(secret) } });
    if (!token) return null;
    if (token.expiresAt !== null && token.expiresAt.getTime() <= Date.now()) return null;
    const lastUsed = token.lastUsedAt?.getTime() ?? 0;
    const ip = meta.ip?.slice(0, 64) ?? token.lastUsedIp;
    if (Date.now() - lastUsed > RECORD_USE_AFTER_MS || ip !== token.lastUsedIp)
      await this.tokens.update({ id: token.id }, { lastUsedAt: new Date(), lastUsedIp: ip });
    return { tokenId: token.id, userId: token.userId, permissions: token.permissions };
  }

  /** A new token for `userId`; the secret is returned this once and never stored. */
  async create(
    userId: number,
    input: { name: string; permissions: Permission[] | null; expiresAt: Date | null },
  ): Promise<{ token: ApiToken; secret: string }> {
    const held = await this.tokens.count({ where: { userId } });
    if (held >= MAX_TOKENS_PER_USER)
      throw new ConflictError(`At most ${MAX_TOKENS_PER_USER} API tokens per user; revoke one first`);
    const secret = `pdk_${randomBytes(32).toString('base64url')}`;
    const token = await this.tokens.save(
      this.tokens.create({
        userId,
        name: input.name,
        tokenHash: hashToken(secret),
        permissions: input.permissions ? [...new Set(input.permissions)] : null,
        expiresAt: input.expiresAt,
        lastUsedAt: null,
        lastUsedIp: null,
      }),
    );
    return { token, secret };
  }

  /** One user's tokens (null: everyone's), newest first, with their owners' usernames. */
  async list(userId: number | null): Promise<TokenView[]> {
    const query = this.tokens
      .createQueryBuilder('token')
      .innerJoinAndSelect('token.user', 'user')
      .orderBy('token.created_at', 'DESC');
    if (userId !== null) query.where('token.user_id = :userId', { userId });
    const rows = await query.getMany();
    return rows.map((token) => ({ token, username: token.user?.username ?? '' }));
  }

  async get(id: string): Promise<TokenView> {
    const token = /^[0-9a-f-]{36}$/i.test(id)
      ? await this.tokens.findOne({ where: { id }, relations: { user: true } })
      : null;
    if (!token) throw new NotFoundError(`API token ${id}`);
    return { token, username: token.user?.username ?? '' };
  }

  /** Revokes a token; its owner's long-lived connections (event streams) check theirs again at once. */
  async revoke(id: string): Promise<void> {
    const token = await this.tokens.findOne({ where: { id }, select: { id: true, userId: true } });
    await this.tokens.delete({ id });
    if (token) await this.users.changed(token.userId);
  }

  /** Revokes every token of a user; returns how many. */
  async revokeAllForUser(userId: number): Promise<number> {
    const result = await this.tokens.delete({ userId });
    await this.users.changed(userId);
    return result.affected ?? 0;
  }
}

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
