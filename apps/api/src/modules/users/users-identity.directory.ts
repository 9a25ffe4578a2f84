import { Injectable } from '@nestjs/common';
import type { IdentityDirectory, TokenGrant } from '../../platform/access/identity';
import type { AuthUser } from '../../platform/access/principal';
import { ApiTokensService } from './api-tokens.service';
import { UsersService } from './users.service';

/** The users module's side of the access layer's IdentityDirectory port. */
@Injectable()
export class UsersIdentityDirectory implements IdentityDirectory {
  constructor(
    private readonly users: UsersService,
    private readonly tokens: ApiTokensService,
  ) {}

  findActive(userId: number): Promise<AuthUser | null> {
    return this.users.findActive(userId);
  }

  peekActive(userId: number): AuthUser | null | undefined {
    return this.users.peekActive(userId);
  }

  resolveToken(secret: string, meta: { ip?: string } = {}): Promise<TokenGrant | null> {
    return this.tokens.resolve(secret, meta);
  }

  tokenActive(tokenId: string): Promise<boolean> {
    return this.tokens.isActive(tokenId);
  }

  onUserChanged(listener: (userId: number) => void): () => void {
    return this.users.onChanged(listener);
  }
}
