import { timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Permission } from '@proxdeck/contracts';
import type { FastifyRequest } from 'fastify';
import { ForbiddenError, UnauthenticatedError } from '../errors/app-error';
import { ACCESS_RULE, type AccessRule } from './access.decorators';
import { IDENTITY_DIRECTORY, type IdentityDirectory } from './identity';
import { SessionCookie } from './session-cookie';
import type { AuthUser, Principal } from './principal';
import { SessionStore } from './session.store';

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * The global gate (docs/api.md §1.3–1.4). Resolves the caller from the session cookie or a bearer token,
 * enforces CSRF on cookie-authenticated writes, and checks the route's declared access rule.
 * A route that declares nothing is refused.
 */
@Injectable()
export class AccessGuard implements CanActivate {
  /** Each handler's rule, read once: metadata lookups cost on every request otherwise. */
  private readonly rules = new WeakMap<object, AccessRule | null>();
  /** Each cached user's permissions as a set, built once per cached user object rather than per request. */
  private readonly permissionSets = new WeakMap<AuthUser, ReadonlySet<Permission>>();

  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionStore,
    @Inject(IDENTITY_DIRECTORY) private readonly identity: IdentityDirectory,
    private readonly cookie: SessionCookie,
  ) {}

  /**
   * Synchronous when this instance's caches know the caller (the common case of a browser session in use),
   * otherwise a promise that asks Redis and Postgres.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const rule = this.ruleOf(context.getHandler());
    if (!rule) {
      throw new ForbiddenError(
        'This route declares no access rule and is refused',
        undefined,
        'ROUTE_NOT_DECLARED',
      );
    }
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const lenient = rule.kind === 'public';
    const known = this.peekPrincipal(request, lenient);
    if (known !== undefined) return this.admit(request, rule, known);
    return this.resolve(request, { lenient }).then((principal) => this.admit(request, rule, principal));
  }

  /** Lets the caller through the route's rule, or throws why not. */
  private admit(request: FastifyRequest, rule: AccessRule, principal: Principal | null): boolean {
    if (rule.kind === 'public') {
      request.principal = principal ?? undefined;
      return true;
    }
    if (!principal) throw new UnauthenticatedError();
    request.principal = principal;

    if (principal.via === 'session' && WRITE_METHODS.has(request.method)) {
      const header = request.headers['x-csrf-token'];
      if (typeof header !== 'string' || !sameSecret(header, principal.session?.csrfToken ?? '')) {
        throw new ForbiddenError('Missing or invalid X-CSRF-Token header', undefined, 'CSRF_TOKEN_INVALID');
      }
    }
    if (rule.kind === 'authenticated' && rule.sessionOnly && principal.via !== 'session') {
      throw new ForbiddenError('This action needs a browser session, not an API token');
    }
    if (rule.kind === 'permission' && !principal.permissions.has(rule.permission)) {
      throw new ForbiddenError(`Requires the permission ${rule.permission}`, { required: rule.permission });
    }
    return true;
  }

  /**
   * The caller as this instance's caches alone know it: null when there are no credentials, undefined when
   * the caches cannot tell (then `resolve` asks Redis and Postgres, which also handles API tokens).
   */
  private peekPrincipal(request: FastifyRequest, lenient: boolean): Principal | null | undefined {
    if (request.headers.authorization?.startsWith('Bearer ')) return undefined;
    const secret = this.cookie.read(request);
    if (!secret) return null;
    const session = this.sessions.peek(secret, { touch: !lenient });
    const user = session ? this.identity.peekActive(session.userId) : undefined;
    if (!session || !user) return undefined;
    return { user, permissions: this.permissionSetOf(user), via: 'session', session };
  }

  /**
   * The caller, or null when there are no credentials. Invalid credentials are an error unless `lenient`
   * (public routes just see an anonymous caller).
   */
  private async resolve(
    request: FastifyRequest,
    { lenient }: { lenient: boolean },
  ): Promise<Principal | null> {
    const authorization = request.headers.authorization;
    if (authorization?.startsWith('Bearer ')) {
      const grant = await this.identity.resolveToken(authorization.slice(7).trim(), { ip: request.ip });
      const user = grant ? await this.identity.findActive(grant.userId) : null;
      if (!grant || !user) {
        if (lenient) return null;
        throw new UnauthenticatedError('Invalid or expired API token');
      }
      const permissions = grant.permissions
        ? user.permissions.filter((permission) => grant.permissions?.includes(permission))
        : user.permissions;
      return { user, permissions: new Set<Permission>(permissions), via: 'token', tokenId: grant.tokenId };
    }

    const secret = this.cookie.read(request);
    if (!secret) return null;
    const session = await this.sessions.resolve(secret, { touch: !lenient });
    const user = session ? await this.identity.findActive(session.userId) : null;
    if (!session || !user) {
      if (lenient) return null;
      throw new UnauthenticatedError('Session expired or ended; log in again', 'SESSION_EXPIRED');
    }
    return { user, permissions: this.permissionSetOf(user), via: 'session', session };
  }

  private ruleOf(handler: object): AccessRule | null {
    let rule = this.rules.get(handler);
    if (rule === undefined) {
      rule = this.reflector.get<AccessRule | undefined>(ACCESS_RULE, handler as () => unknown) ?? null;
      this.rules.set(handler, rule);
    }
    return rule;
  }

  private permissionSetOf(user: AuthUser): ReadonlySet<Permission> {
    let permissions = this.permissionSets.get(user);
    if (!permissions) {
      permissions = new Set(user.permissions);
      this.permissionSets.set(user, permissions);
    }
    return permissions;
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && b.length > 0 && timingSafeEqual(a, b);
}
