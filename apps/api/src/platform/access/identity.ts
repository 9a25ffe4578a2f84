import type { Permission } from '@proxdeck/contracts';
import type { AuthUser } from './principal';

/** What an API token grants: its owner, and the permissions it narrows the owner's to. */
export interface TokenGrant {
  tokenId: string;
  userId: number;
  /** Null when the token carries its owner's permissions unchanged. */
  permissions: readonly Permission[] | null;
}

/**
 * What the access layer needs to know about people, and no more: who an active user is, and what an API
 * token grants. The platform defines this port; the users module provides it (AccessModule.forRoot), so
 * the platform never imports a domain module.
 */
export interface IdentityDirectory {
  /** An active user by id, or null (unknown or deactivated). May read a cache. */
  findActive(userId: number): Promise<AuthUser | null>;
  /** What `findActive` would answer from this process's cache alone; undefined when it cannot tell. */
  peekActive(userId: number): AuthUser | null | undefined;
  /** The grant of a bearer secret, or null when unknown, expired or suspended; records the use (`ip`). */
  resolveToken(secret: string, meta?: { ip?: string }): Promise<TokenGrant | null>;
  /** Whether an API token still grants anything (not revoked, not expired). */
  tokenActive(tokenId: string): Promise<boolean>;
  /**
   * Calls `listener` with the id of every user changed anywhere (permissions, role, deactivation, a token revoked), so that
   * long-lived connections can check their caller again. Returns the unsubscribe.
   */
  onUserChanged(listener: (userId: number) => void): () => void;
}

export const IDENTITY_DIRECTORY = Symbol('IdentityDirectory');
