import type { ErrorCode } from '@proxdeck/contracts';

/**
 * A failure with a stable code that the exception filter maps to the error envelope (api.md §1.1).
 * Services throw these; they never build HTTP responses themselves.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export class ValidationFailedError extends AppError {
  constructor(readonly fields: Record<string, string>) {
    const names = Object.keys(fields);
    super(400, 'VALIDATION_FAILED', `Invalid input: ${names.join(', ')}`, { fields });
  }
}

export class UnauthenticatedError extends AppError {
  constructor(message = 'Authentication required', code: ErrorCode = 'UNAUTHENTICATED') {
    super(401, code, message);
  }
}

export class ForbiddenError extends AppError {
  constructor(message: string, details?: Record<string, unknown>, code: ErrorCode = 'FORBIDDEN') {
    super(403, code, message, details);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string) {
    super(404, 'NOT_FOUND', `${what} not found`);
  }
}

export class ConflictError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(409, 'CONFLICT', message, details);
  }
}

export class RateLimitedError extends AppError {
  constructor(message: string, retryAfterS: number) {
    super(
      429,
      'RATE_LIMITED',
      message,
      { retry_after_s: retryAfterS },
      { 'Retry-After': String(retryAfterS) },
    );
  }
}

export class DependencyUnavailableError extends AppError {
  constructor(dependency: string, reason: string) {
    super(503, 'DEPENDENCY_UNAVAILABLE', `${dependency} is unreachable: ${reason}`, { dependency });
  }
}
