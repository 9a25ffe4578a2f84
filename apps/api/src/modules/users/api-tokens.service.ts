import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import type { TokenGrant } from '../../platform/access/identity';
import { ApiToken } from './api-token.entity';

/** Resolves `Authorization: Bearer` secrets to their token (stored as SHA-256, shown once at creation). */
@Injectable()
export class ApiTokensService {
  constructor(@InjectRepository(ApiToken) private readonly tokens: Repository<ApiToken>) {}

  async resolve(secret: string): Promise<TokenGrant | null> {
    if (!secret.startsWith('pdk_') || secret.length > 200) return null;
    const token = await this.tokens.findOne({ where: { tokenHash: hashToken(secret) } });
    if (!token) return null;
    if (token.expiresAt !== null && token.expiresAt.getTime() <= Date.now()) return null;
    const lastUsed = token.lastUsedAt?.getTime() ?? 0;
    if (Date.now() - lastUsed > 60_000)
      await this.tokens.update({ id: token.id }, { lastUsedAt: new Date() });
    return { tokenId: token.id, userId: token.userId, permissions: token.permissions };
  }
}

export function hashToken(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}
