import { Reflector } from '@nestjs/core';
import type { ExecutionContext } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { parseConfig } from '../config/config.schema';
import { AppError } from '../errors/app-error';
import { Public, RequirePermission } from './access.decorators';
import { AccessGuard } from './access.guard';
import { SessionCookie } from './session-cookie';
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

interface Probe {
  /** allowed, or "<status> <code>" of the refusal */
  outcome: string;
  /** sync: answered from this instance's caches; async: through Redis and Postgres */
  path: 'sync' | 'async';
  principal: unknown;
}

/**
 * Runs one request through a guard whose caches know the caller (`cached`) or not, and reports the outcome
 * and which path answered: the fast synchronous one, or the one that asks Redis and Postgres.
 */
async function probe(cached: boolean, handler: () => void, request: Record<string, unknown>): Promise<Probe> {
  const sessions = {
    resolve: jest.fn().mockResolvedValue(session),
    peek: jest.fn().mockReturnValue(cached ? session : undefined),
  };
  const identity = {
    findActive: jest.fn().mockResolvedValue(viewer),
    peekActive: jest.fn().mockReturnValue(cached ? viewer : undefined),
    resolveToken: jest.fn().mockResolvedValue(null),
    tokenActive: jest.fn().mockResolvedValue(true),
    onUserChanged: jest.fn(),
  };
  const guard = new AccessGuard(
    new Reflector(),
    sessions as unknown as SessionStore,
    identity,
    new SessionCookie(new AppConfig(parseConfig({}))),
  );
  let answer: boolean | Promise<boolean>;
  try {
    answer = guard.canActivate(context(handler, request));
  } catch (error) {
    // Thrown synchronously: the fast path refused without asking anyone.
    return { outcome: describeError(error), path: 'sync', principal: request.principal };
  }
  const path = answer instanceof Promise ? 'async' : 'sync';
  let outcome = 'allowed';
  try {
    await answer;
  } catch (error) {
    outcome = describeError(error);
  }
  if (path === 'sync') expect(sessions.resolve).not.toHaveBeenCalled();
  return { outcome, path, principal: request.principal };
}

function describeError(error: unknown): string {
  return error instanceof AppError ? `${String(error.status)} ${error.code}` : String(error);
}

const routes = new Routes();
const cookieRequest = (method: string, headers: Record<string, string> = {}) => ({
  method,
  headers: { cookie: 'proxdeck_session=secret', ...headers },
});
const anonymous = () => ({ method: 'GET', headers: {} });

/**
 * Every case of the guard: the expected outcome, and the path that answers it when the caches do not know
 * the caller (and when they do).
 */
const CASES: [
  string,
  () => void,
  () => Record<string, unknown>,
  string,
  'sync' | 'async',
  'sync' | 'async',
][] = [
  [
    'undeclared route, logged in',
    routes.undeclared,
    () => cookieRequest('GET'),
    '403 ROUTE_NOT_DECLARED',
    'sync',
    'sync',
  ],
  ['public route, anonymous', routes.open, anonymous, 'allowed', 'sync', 'sync'],
  ['public route, logged in', routes.open, () => cookieRequest('GET'), 'allowed', 'sync', 'async'],
  ['permission route, no credentials', routes.firewall, anonymous, '401 UNAUTHENTICATED', 'sync', 'sync'],
  [
    'cookie write without CSRF header',
    routes.firewall,
    () => cookieRequest('POST'),
    '403 CSRF_TOKEN_INVALID',
    'sync',
    'async',
  ],
  [
    'cookie write with CSRF header, lacking the permission',
    routes.firewall,
    () => cookieRequest('POST', { 'x-csrf-token': 'csrf-token-value' }),
    '403 FORBIDDEN',
    'sync',
    'async',
  ],
  [
    'read lacking the permission',
    routes.firewall,
    () => cookieRequest('GET'),
    '403 FORBIDDEN',
    'sync',
    'async',
  ],
  [
    'unknown API token (tokens are always looked up)',
    routes.firewall,
    () => ({ method: 'GET', headers: { authorization: 'Bearer pdk_unknown' } }),
    '401 UNAUTHENTICATED',
    'async',
    'async',
  ],
];

describe('AccessGuard: one answer per case, whichever path gives it', () => {
  it.each(CASES)('%s', async (_name, handler, request, expected, cachedPath, uncachedPath) => {
    const fast = await probe(true, handler, request());
    const slow = await probe(false, handler, request());
    expect([fast.outcome, slow.outcome]).toEqual([expected, expected]);
    expect([fast.path, slow.path]).toEqual([cachedPath, uncachedPath]);
  });

  it('sets the same principal on both paths', async () => {
    const fast = await probe(true, routes.open, cookieRequest('GET'));
    const slow = await probe(false, routes.open, cookieRequest('GET'));
    expect(fast.principal).toMatchObject({ user: { id: 7 }, via: 'session', session: { id: 'abc' } });
    expect(slow.principal).toEqual(fast.principal);
  });
});
