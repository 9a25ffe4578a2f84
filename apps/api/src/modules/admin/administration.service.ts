import { Injectable } from '@nestjs/common';
import { ROLE_PERMISSIONS, isPermission, type Permission, type RoleName } from '@proxdeck/contracts';
import type { AuthUser, Principal } from '../../platform/access/principal';
import { SessionStore } from '../../platform/access/session.store';
import { ForbiddenError, ValidationFailedError } from '../../platform/errors/app-error';
import { ApiTokensService, UserAccounts, passwordPolicyProblem, type TokenView } from '../users';
import type { CreateTokenDto, CreateUserDto, UserListQueryDto } from './admin.dto';

/** The most a token's expiry may lie ahead. */
const MAX_TOKEN_LIFETIME_MS = 5 * 366 * 24 * 3_600_000;

/**
 * Administration's use cases (docs/api.md §11): the checks no route may skip (nobody changes their own role,
 * permissions or account through these routes; nobody grants what they do not hold themselves), then the
 * account change, then what must follow at once on every instance (sessions ended, tokens revoked).
 */
@Injectable()
export class AdministrationService {
  constructor(
    private readonly accounts: UserAccounts,
    private readonly tokens: ApiTokensService,
    private readonly sessions: SessionStore,
  ) {}

  listUsers(query: UserListQueryDto): Promise<{ items: AuthUser[]; total: number }> {
    return this.accounts.list(query);
  }

  async createUser(principal: Principal, body: CreateUserDto): Promise<AuthUser> {
    const role = body.role ?? 'viewer';
    const problem = passwordPolicyProblem(body.password, body.username);
    if (problem) throw new ValidationFailedError({ password: problem });
    const permissions = body.permissions
      ? knownPermissions(body.permissions, 'permissions')
      : [...ROLE_PERMISSIONS[role]];
    assertCanGrant(principal, permissions, []);
    return this.accounts.create({
      username: body.username,
      password: body.password,
      name: body.name ?? '',
      email: body.email ?? null,
      role,
      permissions,
    });
  }

  /** Deletes a user: their sessions end and their tokens go at once. */
  async deleteUser(principal: Principal, username: string): Promise<AuthUser> {
    assertNotSelf(principal, username, 'delete yourself');
    const deleted = await this.accounts.delete(username);
    await this.sessions.revokeAllForUser(deleted.id);
    return deleted;
  }

  /** Sets a user's password: their sessions end and their tokens are revoked. */
  async resetPassword(principal: Principal, username: string, password: string): Promise<AuthUser> {
    assertNotSelf(principal, username, 'reset your own password here; use Change password');
    const target = await this.accounts.get(username);
    const problem = passwordPolicyProblem(password, target.username);
    if (problem) throw new ValidationFailedError({ new_password: problem });
    const user = await this.accounts.setPassword(username, password);
    await this.sessions.revokeAllForUser(user.id);
    await this.tokens.revokeAllForUser(user.id);
    return user;
  }

  /** Deactivation ends the user's sessions and suspends their tokens (they work again on activation). */
  async setActive(principal: Principal, username: string, active: boolean): Promise<AuthUser> {
    assertNotSelf(principal, username, active ? 'activate yourself' : 'deactivate yourself');
    const user = await this.accounts.setActive(username, active);
    if (!active) await this.sessions.revokeAllForUser(user.id);
    return user;
  }

  async setPermissions(principal: Principal, username: string, requested: string[]): Promise<AuthUser> {
    assertNotSelf(principal, username, 'change your own permissions');
    const permissions = knownPermissions(requested, 'permissions');
    const target = await this.accounts.get(username);
    assertCanGrant(principal, permissions, target.permissions);
    return this.accounts.setAccess(username, target.role, permissions);
  }

  async setRole(
    principal: Principal,
    username: string,
    role: RoleName,
    keepPermissions: boolean,
  ): Promise<AuthUser> {
    assertNotSelf(principal, username, 'change your own role');
    const target = await this.accounts.get(username);
    const permissions = keepPermissions ? target.permissions : [...ROLE_PERMISSIONS[role]];
    assertCanGrant(principal, permissions, target.permissions);
    return this.accounts.setAccess(username, role, permissions);
  }

  // API tokens

  /** The caller's tokens; with `all` or another `user`, administrators only. */
  async listTokens(principal: Principal, query: { all?: boolean; user?: string }): Promise<TokenView[]> {
    const other = query.user !== undefined && query.user.toLowerCase() !== principal.user.username;
    if (query.all || other) {
      assertAdmin(principal);
      if (query.all && query.user === undefined) return this.tokens.list(null);
      return this.tokens.list((await this.accounts.get(query.user ?? principal.user.username)).id);
    }
    return this.tokens.list(principal.user.id);
  }

  async createToken(
    principal: Principal,
    body: CreateTokenDto,
  ): Promise<{ view: TokenView; secret: string }> {
    let expiresAt: Date | null = null;
    if (body.expires_at) {
      expiresAt = new Date(body.expires_at);
      if (expiresAt.getTime() <= Date.now())
        throw new ValidationFailedError({ expires_at: 'must be in the future' });
      if (expiresAt.getTime() > Date.now() + MAX_TOKEN_LIFETIME_MS)
        throw new ValidationFailedError({ expires_at: 'must be within 5 years' });
    }
    const name = body.name.trim();
    if (name.length === 0) throw new ValidationFailedError({ name: 'must not be empty' });
    let permissions: Permission[] | null;
    if (body.permissions) {
      permissions = knownPermissions(body.permissions, 'permissions');
      assertCanGrant(principal, permissions, []);
    } else {
      // A token creating a token passes on its own narrowing, never its owner's full set.
      permissions = principal.via === 'token' ? [...principal.permissions] : null;
    }
    const { token, secret } = await this.tokens.create(principal.user.id, { name, permissions, expiresAt });
    return { view: { token, username: principal.user.username }, secret };
  }

  /** Revokes one's own token, or anyone's with admin_access; others' tokens are not found otherwise. */
  async revokeToken(principal: Principal, id: string): Promise<TokenView> {
    const view = await this.tokens.get(id);
    if (view.token.userId !== principal.user.id && !principal.permissions.has('admin_access')) {
      throw new ForbiddenError('Only administrators revoke the tokens of others', {
        required: 'admin_access',
      });
    }
    await this.tokens.revoke(view.token.id);
    return view;
  }
}

/** The permissions named, or a 400 naming the unknown ones. */
function knownPermissions(names: string[], field: string): Permission[] {
  const unknown = names.filter((name) => !isPermission(name));
  if (unknown.length > 0)
    throw new ValidationFailedError({ [field]: `unknown permission(s): ${unknown.join(', ')}` });
  return [...new Set(names as Permission[])];
}

/** Nobody grants what they do not hold (a narrowed token holds only its own): 403 naming what is missing. */
function assertCanGrant(
  principal: Principal,
  wanted: readonly Permission[],
  already: readonly Permission[],
): void {
  const missing = wanted.filter(
    (permission) => !already.includes(permission) && !principal.permissions.has(permission),
  );
  if (missing.length > 0) {
    throw new ForbiddenError(`You cannot grant permissions you do not hold: ${missing.join(', ')}`, {
      required: missing,
    });
  }
}

function assertNotSelf(principal: Principal, username: string, what: string): void {
  if (username.toLowerCase() === principal.user.username) {
    throw new ForbiddenError(`You cannot ${what}; ask another administrator`, { reason: 'self' });
  }
}

function assertAdmin(principal: Principal): void {
  if (!principal.permissions.has('admin_access'))
    throw new ForbiddenError('Requires the permission admin_access', { required: 'admin_access' });
}
