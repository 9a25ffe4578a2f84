/**
 * INTERIM: the subset of the API contract (api.md §2, §14) the SPA shell calls, in the shape that
 * openapi-typescript generates. It exists only until libs/api-client publishes the generated `paths`;
 * then lib/api.ts imports `paths` from '@proxdeck/api-client' and this file is deleted.
 */
type Json<T> = { content: { 'application/json': T } };
type Ok<T> = Json<{ success: true; data: T; message?: string }>;
type Failure = Json<{
  success: false;
  error: string;
  code: string;
  details?: { fields?: Record<string, string>; [key: string]: unknown };
}>;
type NoParams = { query?: never; header?: never; path?: never; cookie?: never };
type Operation<Body, Responses> = (Body extends undefined
  ? { requestBody?: never }
  : { requestBody: Json<Body> }) & { parameters: NoParams; responses: Responses };

type User = {
  id: number;
  username: string;
  name: string;
  email: string | null;
  role: string;
  permissions: string[];
  is_active: boolean;
  created_at: string;
  last_login_at: string | null;
};
type OwnSession = {
  id: string;
  created_at: string;
  last_seen_at: string;
  expires_at: string;
  ip: string | null;
  user_agent: string | null;
  current: boolean;
};
type Check = { status: string; latency_ms?: number; message?: string };
type Readiness = { status: string; checks: { postgres: Check; redis: Check; proxmox: Check } };

export interface paths {
  '/login': {
    post: Operation<
      { username: string; password: string },
      { 200: Ok<{ user: User; csrf_token: string; expires_at: string }>; 401: Failure; 429: Failure }
    >;
  };
  '/logout': { post: Operation<undefined, { 200: Ok<Record<string, never>>; 401: Failure }> };
  '/change-password': {
    post: Operation<
      { current_password: string; new_password: string },
      { 200: Ok<Record<string, never>>; 400: Failure; 401: Failure }
    >;
  };
  '/api/session/check': {
    get: Operation<
      undefined,
      {
        200: Ok<{ authenticated: true; user: User; csrf_token: string; expires_at: string }>;
        401: Failure;
      }
    >;
  };
  '/api/profile': { get: Operation<undefined, { 200: Ok<User & { sessions: OwnSession[] }>; 401: Failure }> };
  '/api/health/ready': { get: Operation<undefined, { 200: Ok<Readiness>; 503: Failure }> };
}
