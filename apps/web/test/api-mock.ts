/**
 * A fake API for unit tests, typed by the API's OpenAPI document (`paths` from @proxdeck/api-client).
 *
 * globalThis.fetch answers from a table of handlers keyed by `METHOD /path` exactly as the document writes
 * them (`'GET /api/tasks/{task_id}/status'`): a key that is not an operation of the document fails typecheck,
 * and so does a success answer whose `data` has another shape than the operation's 200/202 response.
 * Path parameters are matched (`/api/tasks/abc/status` reaches that handler with `params.task_id === 'abc'`).
 * Every request is recorded. Anything without a handler answers 404 in the error envelope, so a missing
 * handler shows.
 */
import type { ApiErrorBody, paths } from '@proxdeck/api-client';

type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'options' | 'head' | 'patch' | 'trace';

/** One operation of the document: its `METHOD /path` key, its path template and its generated types. */
type RouteEntry = {
  [P in keyof paths]: {
    [M in HttpMethod]: [NonNullable<paths[P][M]>] extends [never]
      ? never
      : { route: `${Uppercase<M>} ${P}`; path: P; operation: NonNullable<paths[P][M]> };
  }[HttpMethod];
}[keyof paths];

type RouteTable = { [E in RouteEntry as E['route']]: E };

/** `METHOD /path` of every operation of the OpenAPI document, e.g. `'GET /api/tasks/{task_id}/status'`. */
export type Route = keyof RouteTable;

type Operation<R extends Route> = RouteTable[R]['operation'];
type Responses<R extends Route> = Operation<R>['responses'];
type JsonContent<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;

/** The names in a path template: `'task_id'` for `/api/tasks/{task_id}/status`. */
type ParamNames<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}`
  ? Name | ParamNames<Rest>
  : never;

/** The path parameters of route R, as the URL carried them (decoded strings). */
export type PathParams<R extends Route> = Readonly<Record<ParamNames<RouteTable[R]['path']>, string>>;

/** The JSON request body the document gives route R (undefined when it takes none). */
export type RequestBody<R extends Route> =
  NonNullable<Operation<R>['requestBody']> extends { content: { 'application/json': infer Body } }
    ? Body
    : undefined;

/** The JSON body the document gives route R's response at `status`. */
export type ResponseBody<R extends Route, Status extends ResponseStatus<R>> = JsonContent<
  Responses<R>[Status]
>;
export type ResponseStatus<R extends Route> = keyof Responses<R> & number;

/**
 * An answer of the fake API: a status and a JSON body. Its type parameter maps the status to the body type
 * (`{ 200: ProfileEnvelope }`), which is what the handler's return type checks against the document.
 */
export class MockReply<Bodies> {
  /** Type only: the status and the type of the body, as a one-entry map. */
  declare readonly bodies: Bodies;

  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}

  toResponse(): Response {
    return Response.json(this.body, { status: this.status });
  }
}

/** An error envelope (docs/api.md §1.1) at any status. */
export type ErrorReply = MockReply<Record<number, ApiErrorBody>>;

/** What a handler of route R may answer: one of the operation's documented responses, or an error envelope. */
export type ReplyFor<R extends Route> =
  | { [Status in ResponseStatus<R>]: MockReply<{ [S in Status]: ResponseBody<R, S> }> }[ResponseStatus<R>]
  | ErrorReply;

/** A request as a handler of route R sees it. */
export interface MockRequest<R extends Route> {
  request: Request;
  params: PathParams<R>;
  query: URLSearchParams;
  /** The parsed JSON body (the SPA builds it through the typed client, so it has the document's type). */
  body: RequestBody<R> | undefined;
  /** Any documented response of the route, e.g. the 503 that still carries a report. */
  reply<Status extends ResponseStatus<R>>(
    status: Status,
    body: ResponseBody<R, Status>,
  ): MockReply<{ [S in Status]: ResponseBody<R, S> }>;
}

export type Handler<R extends Route> = (request: MockRequest<R>) => ReplyFor<R> | Promise<ReplyFor<R>>;

/** The handler table of mockApi: only operations of the document may be keys. */
export type Handlers = { [R in Route]?: Handler<R> };

type SuccessEnvelope = { success: true; data: unknown };
/** The second argument of ok/accepted: what the envelope carries besides `data` (`pagination`, `message`). */
type Extra<Body> = Omit<Body, 'success' | 'data'>;
/** Optional when every member of the extra is (`message?`), required otherwise (`pagination`). */
type ExtraArgs<Body> =
  Partial<Extra<Body>> extends Extra<Body> ? [extra?: Extra<Body>] : [extra: Extra<Body>];

/**
 * A 200 success envelope. Its type comes from where it is returned: the handler's operation fixes the type of
 * `data` (and of `pagination` or other members of that envelope), so a wrong shape fails typecheck.
 */
export function ok<Body extends SuccessEnvelope>(
  data: NoInfer<Body['data']>,
  ...[extra]: NoInfer<ExtraArgs<Body>>
): MockReply<{ 200: Body }> {
  return new MockReply(200, { ...extra, success: true, data });
}

/** A 202 success envelope, as the endpoints that queue a task answer (their envelope requires `message`). */
export function accepted<Body extends SuccessEnvelope>(
  data: NoInfer<Body['data']>,
  ...[extra]: NoInfer<ExtraArgs<Body>>
): MockReply<{ 202: Body }> {
  return new MockReply(202, { ...extra, success: true, data });
}

/** An error envelope (docs/api.md §1.1), allowed at any status: a route may always be missing or a dependency down. */
export function fail(
  status: number,
  code: string,
  error: string,
  details?: Record<string, unknown>,
): ErrorReply {
  const body: ApiErrorBody = { success: false, error, code, ...(details ? { details } : {}) };
  return new MockReply(status, body);
}

export interface RecordedRequest {
  method: string;
  path: string;
  /** The route of the handler that answered; null when none did (the 404). */
  route: Route | null;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  headers: Headers;
  credentials: RequestCredentials;
  body: unknown;
}

export interface ApiMock {
  requests: RecordedRequest[];
  /** The recorded requests matching `route` (its path parameters match any value), answered or not. */
  calls(route: Route): RecordedRequest[];
  /** Replaces or adds a handler. */
  on<R extends Route>(route: R, handler: Handler<R>): void;
}

/** A `METHOD /path/{param}` template compiled to a matcher of method and path. */
export interface RoutePattern {
  method: string;
  /** How many path parameters the template has. */
  parameters: number;
  match(method: string, path: string): Record<string, string> | null;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
}

/** Compiles `'GET /api/tasks/{task_id}/status'`: each parameter matches one path segment, decoded. */
export function compileRoute(route: string): RoutePattern {
  const space = route.indexOf(' ');
  const method = route.slice(0, space);
  const template = route.slice(space + 1);
  const names: string[] = [];
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const name = /^\{([^}]+)\}$/.exec(part)?.[1];
      if (name === undefined) return escapeRegExp(part);
      names.push(name);
      return '([^/]+)';
    })
    .join('');
  const regex = new RegExp(`^${source}$`);
  return {
    method,
    parameters: names.length,
    match(requestMethod, path) {
      if (requestMethod !== method) return null;
      const found = regex.exec(path);
      if (!found) return null;
      return Object.fromEntries(
        names.map((name, index) => [name, decodeURIComponent(found[index + 1] ?? '')]),
      );
    },
  };
}

interface Incoming {
  request: Request;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
}

interface TableEntry {
  route: Route;
  pattern: RoutePattern;
  answer: (incoming: Incoming) => MockReply<unknown> | Promise<MockReply<unknown>>;
}

function parseBody(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function mockApi(handlers: Handlers): ApiMock {
  let table: TableEntry[] = [];
  const requests: RecordedRequest[] = [];

  function on<R extends Route>(route: R, handler: Handler<R>): void {
    const pattern = compileRoute(route);
    const answer = (incoming: Incoming) =>
      handler({
        ...incoming,
        // The pattern is the route's own template, so these are the route's parameters.
        params: incoming.params as PathParams<R>,
        body: incoming.body as RequestBody<R> | undefined,
        reply: (status, body) => new MockReply(status, body),
      });
    // Fewer parameters first, so that a fixed path (`/api/servers/stats`) wins over a template that also
    // matches it (`/api/servers/{id}`).
    table = [...table.filter((entry) => entry.route !== route), { route, pattern, answer }].sort(
      (a, b) => a.pattern.parameters - b.pattern.parameters,
    );
  }
  for (const [route, handler] of Object.entries(handlers) as [Route, Handler<Route> | undefined][]) {
    if (handler) on(route, handler);
  }

  const fetchMock = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const body = parseBody(await request.clone().text());
    let found: { entry: TableEntry; params: Record<string, string> } | null = null;
    for (const entry of table) {
      const params = entry.pattern.match(request.method, url.pathname);
      if (params) {
        found = { entry, params };
        break;
      }
    }
    requests.push({
      method: request.method,
      path: url.pathname,
      route: found?.entry.route ?? null,
      params: found?.params ?? {},
      query: url.searchParams,
      headers: request.headers,
      credentials: request.credentials,
      body,
    });
    if (!found) return fail(404, 'NOT_FOUND', `No mock for ${request.method} ${url.pathname}`).toResponse();
    const answer = await found.entry.answer({ request, params: found.params, query: url.searchParams, body });
    return answer.toResponse();
  };
  globalThis.fetch = fetchMock;

  return {
    requests,
    calls: (route) => {
      const pattern = compileRoute(route);
      return requests.filter((r) => pattern.match(r.method, r.path) !== null);
    },
    on,
  };
}
