/**
 * The typed Proxdeck API client: `paths` and `components` are generated from the API's OpenAPI document
 * (libs/api-client/openapi.json, committed, checked for drift in CI); `createApiClient` is openapi-fetch
 * over them, with the session's CSRF header on writes.
 */
import createClient, { type Client, type Middleware } from 'openapi-fetch';
import type { components, operations, paths } from './generated/schema';

export type { components, operations, paths };
export type Schemas = components['schemas'];

export interface ApiClientOptions {
  /** Origin of the API; '' for same-origin (the SPA). */
  baseUrl?: string;
  /** Returns the CSRF token of the current session, sent as X-CSRF-Token on writes. */
  csrfToken?: () => string | null | undefined;
  /** An API token (`Authorization: Bearer`), for integrations and tests; no CSRF needed then. */
  bearerToken?: string;
  /** Called on every 401, e.g. to send the user to the login page. */
  onUnauthorized?: (response: Response) => void;
  fetch?: typeof globalThis.fetch;
  headers?: Record<string, string>;
}

export type ApiClient = Client<paths>;

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const client = createClient<paths>({
    baseUrl: options.baseUrl ?? '',
    credentials: 'include',
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.headers ? { headers: options.headers } : {}),
  });
  const auth: Middleware = {
    onRequest({ request }) {
      if (options.bearerToken) request.headers.set('Authorization', `Bearer ${options.bearerToken}`);
      const token = options.csrfToken?.();
      if (token && WRITE_METHODS.has(request.method)) request.headers.set('X-CSRF-Token', token);
      return request;
    },
    onResponse({ response }) {
      if (response.status === 401) options.onUnauthorized?.(response);
      return response;
    },
  };
  client.use(auth);
  return client;
}

/** The error envelope of docs/api.md §1.1. */
export interface ApiErrorBody {
  success: false;
  error: string;
  code: string;
  details?: { fields?: Record<string, string>; required?: string; [key: string]: unknown };
  request_id?: string;
}

export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { success?: unknown }).success === false &&
    typeof (value as { error?: unknown }).error === 'string'
  );
}
