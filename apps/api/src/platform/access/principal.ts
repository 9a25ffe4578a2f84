import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Permission, RoleName } from '@proxdeck/contracts';
import type { FastifyRequest } from 'fastify';
import { UnauthenticatedError } from '../errors/app-error';

/** The user as the access layer sees it: loaded per request (cached), never holding the password hash. */
export interface AuthUser {
  id: number;
  username: string;
  name: string;
  email: string | null;
  role: RoleName;
  permissions: Permission[];
  isActive: boolean;
  createdAt: Date;
  lastLoginAt: Date | null;
}

export interface SessionInfo {
  id: string;
  csrfToken: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  absoluteExpiresAt: number;
}

/** Who is calling, and how. */
export interface Principal {
  user: AuthUser;
  permissions: ReadonlySet<Permission>;
  via: 'session' | 'token';
  session?: SessionInfo;
  tokenId?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/** The authenticated caller of a route declared @Authenticated or @RequirePermission. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => {
    const principal = context.switchToHttp().getRequest<FastifyRequest>().principal;
    if (!principal) throw new UnauthenticatedError();
    return principal;
  },
);
