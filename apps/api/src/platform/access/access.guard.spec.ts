import { Reflector } from '@nestjs/core';
import type { ExecutionContext } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { parseConfig } from '../config/config.schema';
import { AppError } from '../errors/app-error';
import { Public, RequirePermission } from './access.decorators';
import { AccessGuard } from './access.guard';
import type { IdentityDirectory } from './identity';
import type { AuthUser } from './principal';
import type { ActiveSession, SessionStore } from './session.store';

class Routes {
  undeclared(): void {
    return undefined;
  }
  @Public()
  open(): void {
    return undefined;
  }
  @RequirePermission('manage_firewall')
  firewall(): void {
    return undefined;
  }
}

const viewer: AuthUser = {
  id: 7,
  username: 'vera',
  name: 'Vera',
  email: null,
  role: 'viewer',
  permissions: ['view_all'],
  isActive: true,
  createdAt: new Date(0),
  lastLoginAt: null,
};

const session: ActiveSession = {
  id: 'abc',
  userId: 7,
  csrfToken: 'csrf-token-value',
  createdAt: 0,
  lastSeenAt: 0,
  expiresAt: Date.now() + 60_000,
  absoluteExpiresAt: Date.now() + 60_000,
  ip: '127.0.0.1',
  userAgent: 'jest',
};

function context(handler: () => void, request: Record<string, unknown>): ExecutionContext {
  return {
    getHandler: () => handler,
    switchToHttp: () => ({ getRequest: () => request }),
  } as unknown as ExecutionContext;
}

/** A guard whose caches either know the caller (answered synchronously) or not (answered through Redis). */
function guard(cached: boolean): AccessGuard {
  const sessions = {
    resolve: jest.fn().mockResolvedValue(session),
    peek: jest.fn().mockReturnValue(cached ? session : undefined),
  } as unknown as SessionStore;
  const identity: IdentityDirectory = {
    findActive: jest.fn().mockResolvedValue(viewer),
    peekActive: jest.fn().mockReturnValue(cached ? viewer : undefined),
    resolveToken: jest.fn().mockResolvedValue(null),
  };
  return new AccessGuard(new Reflector(), sessions, identity, new AppConfig(parseConfig({})));
}

async function refusal(check: () => boolean | Promise<boolean>): Promise<string> {
  try {
    await check();
    return 'allowed';
  } catch (error) {
    return error instanceof AppError ? `${error.status} ${error.code}` : String(error);
  }
}

describe.each([
  ['caches know the caller', true],
  ['caches do not know the caller', false],
])('AccessGuard (%s)', (_name, cached) => {
  const routes = new Routes();
  const cookieRequest = (method: string, headers: Record<string, string> = {}) => ({
    method,
    headers,
    cookies: { proxdeck_session: 'secret' },
  });

  it('refuses a route that declares no access rule, even for a logged-in user', async () => {
    expect(
      await refusal(() => guard(cached).canActivate(context(routes.undeclared, cookieRequest('GET')))),
    ).toBe('403 ROUTE_NOT_DECLARED');
  });

  it('lets anyone through a public route', async () => {
    expect(
      await refusal(() =>
        guard(cached).canActivate(context(routes.open, { method: 'GET', headers: {}, cookies: {} })),
      ),
    ).toBe('allowed');
  });

  it('refuses a permission route without credentials', async () => {
    expect(
      await refusal(() =>
        guard(cached).canActivate(context(routes.firewall, { method: 'GET', headers: {}, cookies: {} })),
      ),
    ).toBe('401 UNAUTHENTICATED');
  });

  it('checks CSRF before permissions on cookie writes, then the permission', async () => {
    expect(
      await refusal(() => guard(cached).canActivate(context(routes.firewall, cookieRequest('POST')))),
    ).toBe('403 CSRF_TOKEN_INVALID');
    expect(
      await refusal(() =>
        guard(cached).canActivate(
          context(routes.firewall, cookieRequest('POST', { 'x-csrf-token': 'csrf-token-value' })),
        ),
      ),
    ).toBe('403 FORBIDDEN');
  });

  it('sets the principal of an allowed caller', async () => {
    const request = cookieRequest('GET') as Record<string, unknown>;
    expect(await refusal(() => guard(cached).canActivate(context(routes.open, request)))).toBe('allowed');
    expect(request.principal).toMatchObject({ user: { id: 7 }, via: 'session', session: { id: 'abc' } });
  });
});
