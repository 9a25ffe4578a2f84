/**
 * A fake API for unit tests: globalThis.fetch answers from a table of `METHOD /path` handlers and records
 * every request. Anything not in the table answers 404 in the error envelope, so a missing handler shows.
 */
export type Handler = (request: Request) => Response | Promise<Response>;

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Headers;
  credentials: RequestCredentials;
  body: unknown;
}

export interface ApiMock {
  requests: RecordedRequest[];
  /** The recorded requests to `METHOD /path`. */
  calls(route: string): RecordedRequest[];
  /** Replaces or adds a handler. */
  on(route: string, handler: Handler): void;
}

export function ok(data: unknown, status = 200): Response {
  return Response.json({ success: true, data }, { status });
}

export function fail(
  status: number,
  code: string,
  error: string,
  details?: Record<string, unknown>,
): Response {
  return Response.json({ success: false, error, code, ...(details ? { details } : {}) }, { status });
}

export function mockApi(handlers: Record<string, Handler>): ApiMock {
  const table = new Map(Object.entries(handlers));
  const requests: RecordedRequest[] = [];
  const fetchMock = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(input, init);
    const url = new URL(request.url);
    const text = await request.clone().text();
    requests.push({
      method: request.method,
      path: url.pathname,
      headers: request.headers,
      credentials: request.credentials,
      body: text ? (JSON.parse(text) as unknown) : undefined,
    });
    const handler = table.get(`${request.method} ${url.pathname}`);
    return handler
      ? handler(request)
      : fail(404, 'NOT_FOUND', `No mock for ${request.method} ${url.pathname}`);
  };
  globalThis.fetch = fetchMock;
  return {
    requests,
    calls: (route) => requests.filter((r) => `${r.method} ${r.path}` === route),
    on: (route, handler) => {
      table.set(route, handler);
    },
  };
}
