/**
 * The stable error codes of the error envelope (docs/api.md §1.1, §1.2) and the HTTP status each is answered
 * with: one table, so that every code has exactly one status (the compiler checks the table is complete).
 * Clients may switch on the codes.
 */
export const ERROR_STATUS = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  SESSION_EXPIRED: 401,
  INVALID_CREDENTIALS: 401,
  CSRF_TOKEN_INVALID: 403,
  CROSS_SITE_REQUEST: 403,
  FORBIDDEN: 403,
  ROUTE_NOT_DECLARED: 403,
  NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  PAYLOAD_TOO_LARGE: 413,
  URI_TOO_LONG: 414,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL_ERROR: 500,
  PVE_ERROR: 502,
  DEPENDENCY_UNAVAILABLE: 503,
  SERVICE_BUSY: 503,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export const ERROR_CODES = Object.keys(ERROR_STATUS) as ErrorCode[];

/** The code a bare HTTP status stands for, when nothing more precise is known. */
export function errorCodeForStatus(status: number): ErrorCode {
  const generic: Partial<Record<number, ErrorCode>> = {
    400: 'BAD_REQUEST',
    401: 'UNAUTHENTICATED',
    403: 'FORBIDDEN',
    404: 'NOT_FOUND',
    408: 'REQUEST_TIMEOUT',
    409: 'CONFLICT',
    413: 'PAYLOAD_TOO_LARGE',
    414: 'URI_TOO_LONG',
    415: 'UNSUPPORTED_MEDIA_TYPE',
    429: 'RATE_LIMITED',
    431: 'HEADERS_TOO_LARGE',
    502: 'PVE_ERROR',
    503: 'DEPENDENCY_UNAVAILABLE',
  };
  return generic[status] ?? (status < 500 ? 'BAD_REQUEST' : 'INTERNAL_ERROR');
}
