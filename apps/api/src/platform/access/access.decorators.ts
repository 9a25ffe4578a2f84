import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCookieAuth,
  ApiExtension,
  ApiForbiddenResponse,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { Permission } from '@proxdeck/contracts';
import { ERROR_ENVELOPE_SCHEMA } from '../openapi/error-envelope.schema';

/**
 * How a route may be reached. Every handler declares exactly one; the global AccessGuard refuses the rest.
 * The declaration is also written into the OpenAPI operation as `x-proxdeck-access`.
 */
export type AccessRule =
  | { kind: 'public' }
  | { kind: 'authenticated'; sessionOnly: boolean }
  | { kind: 'permission'; permission: Permission };

export const ACCESS_RULE = 'proxdeck:access-rule';
export const OPENAPI_ACCESS_EXTENSION = 'x-proxdeck-access';

function declare(rule: AccessRule, ...extra: MethodDecorator[]): MethodDecorator {
  return applyDecorators(
    SetMetadata(ACCESS_RULE, rule),
    ApiExtension(OPENAPI_ACCESS_EXTENSION, rule),
    ...extra,
  );
}

/**
 * Made fresh for every route: @nestjs/swagger's ApiSecurity keeps its requirement list in the decorator's
 * closure and extends it on each use, so a shared instance piles up duplicates across routes.
 */
const needsLogin = (): MethodDecorator[] => [
  ApiCookieAuth('session'),
  ApiBearerAuth('token'),
  ApiUnauthorizedResponse({ description: 'Not authenticated', schema: ERROR_ENVELOPE_SCHEMA }),
];

/** Anyone, logged in or not. */
export const Public = (): MethodDecorator => declare({ kind: 'public' });

/** Any logged-in user. `sessionOnly` refuses API tokens (password changes, logout). */
export const Authenticated = (options: { sessionOnly?: boolean } = {}): MethodDecorator =>
  declare(
    { kind: 'authenticated', sessionOnly: options.sessionOnly ?? false },
    ...(options.sessionOnly
      ? [
          ApiCookieAuth('session'),
          ApiUnauthorizedResponse({ description: 'Not authenticated', schema: ERROR_ENVELOPE_SCHEMA }),
        ]
      : needsLogin()),
  );

/** A logged-in user holding `permission`. */
export const RequirePermission = (permission: Permission): MethodDecorator =>
  declare(
    { kind: 'permission', permission },
    ...needsLogin(),
    ApiForbiddenResponse({
      description: `Requires the permission ${permission}`,
      schema: ERROR_ENVELOPE_SCHEMA,
    }),
  );
