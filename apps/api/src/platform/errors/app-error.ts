import { ERROR_STATUS, type ErrorCode } from '@proxdeck/contracts';

/**
 * A failure with a stable code that the exception filter maps to the error envelope (docs/api.md §1.1); its
 * HTTP status comes from the code (ERROR_STATUS in the contracts). Services throw these; they never build
 * HTTP responses themselves.
 */
export class AppError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
    this.status = ERROR_STATUS[code];
  }
}

export class ValidationFailedError extends AppError {
  constructor(readonly fields: Record<string, string>) {
    const names = Object.keys(fields);
    super('VALIDATION_FAILED', `Invalid input: ${names.join(', ')}`, { fields });
  }
}

export class UnauthenticatedError extends AppError {
  constructor(
    message = 'Authentication required',
    code: 'UNAUTHENTICATED' | 'SESSION_EXPIRED' | 'INVALID_CREDENTIALS' = 'UNAUTHENTICATED',
  ) {
    super(code, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(
    message: string,
    details?: Record<string, unknown>,
    code: 'FORBIDDEN' | 'CSRF_TOKEN_INVALID' | 'ROUTE_NOT_DECLARED' | 'CROSS_SITE_REQUEST' = 'FORBIDDEN',
  ) {
    super(code, message, details);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super('CONFLICT', message, details);
  }
}

/** Too many tries (429): `retryAfterS` goes out as Retry-After. */
export class RateLimitedError extends AppError {
  constructor(message: string, retryAfterS: number) {
    super('RATE_LIMITED', message, { retry_after_s: retryAfterS }, { 'Retry-After': String(retryAfterS) });
  }
}

/** This instance is at capacity for an expensive operation (503 at once, rather than queueing). */
export class ServiceBusyError extends AppError {
  constructor(message: string, retryAfterS = 1) {
    super('SERVICE_BUSY', message, { retry_after_s: retryAfterS }, { 'Retry-After': String(retryAfterS) });
  }
}

export class DependencyUnavailableError extends AppError {
  constructor(dependency: string, reason: string) {
    super('DEPENDENCY_UNAVAILABLE', `${dependency} is unreachable: ${reason}`, { dependency });
  }
}
