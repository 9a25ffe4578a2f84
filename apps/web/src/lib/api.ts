/**
 * The one HTTP client of the SPA. Cookies go with every request; writes carry the session's CSRF token
 * (docs/api.md §1.3); a 401 from anything but the login and session-check endpoints means the session is gone,
 * and the registered handler takes the user to the login page.
 */
import type { Middleware } from 'openapi-fetch';
import { createApiClient, type Schemas } from '@proxdeck/api-client';

export type { Schemas };

/** Endpoints whose 401 is an answer (wrong password, not signed in), not an expired session. */
const AUTH_PROBES = new Set<string>(['/login', '/api/session/check']);

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

export function getCsrfToken(): string | null {
  return csrfToken;
}

/** Registers what happens when the session turns out to be gone; returns the unregister function. */
export function setUnauthorizedHandler(handler: () => void): () => void {
  onUnauthorized = handler;
  return () => {
    if (onUnauthorized === handler) onUnauthorized = null;
  };
}

/** Notices the end of the session (the generated client's CSRF handling adds the token on writes). */
export const sessionMiddleware: Middleware = {
  onResponse({ response, schemaPath }) {
    if (response.status === 401 && !AUTH_PROBES.has(schemaPath)) {
      csrfToken = null;
      onUnauthorized?.();
    }
    return undefined;
  },
};

export const api = createApiClient({
  baseUrl: globalThis.location.origin,
  csrfToken: () => csrfToken,
  // Looked up on every call so that tests can replace globalThis.fetch.
  fetch: (input, init) => globalThis.fetch(input, init),
});
api.use(sessionMiddleware);

/** An error envelope (docs/api.md §1.1) turned into an exception, with its status and per-field messages. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly fields: Readonly<Record<string, string>> = {},
    /** The envelope's `details` besides the fields (`reason: 'stale_digest'`, …). */
    readonly details: Readonly<Record<string, unknown>> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

export function toApiError(body: unknown, response: Response): ApiError {
  if (isRecord(body) && typeof body.error === 'string') {
    const code = typeof body.code === 'string' ? body.code : 'UNKNOWN';
    const details = body.details;
    const fields: Record<string, string> = {};
    if (isRecord(details) && isRecord(details.fields)) {
      for (const [name, message] of Object.entries(details.fields)) {
        if (typeof message === 'string') fields[name] = message;
      }
    }
    return new ApiError(body.error, response.status, code, fields, isRecord(details) ? details : {});
  }
  return new ApiError(`${response.status} ${response.statusText}`.trim(), response.status, 'HTTP_ERROR');
}

type Result<D> = { data?: { data: D }; error?: unknown; response: Response };

/** Awaits an openapi-fetch call and returns the envelope's `data`, or throws an ApiError. */
export async function unwrap<D>(call: Promise<Result<D>>): Promise<D> {
  const { data, error, response } = await call;
  if (data === undefined) throw toApiError(error, response);
  return data.data;
}
