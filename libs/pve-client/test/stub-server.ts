/** A tiny PVE-like HTTP stub for client tests: records every request and answers from a test-supplied function. */
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';

export interface StubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface StubAnswer {
  status?: number;
  reason?: string;
  body?: unknown;
  /** Send this raw text instead of JSON. */
  raw?: string;
  delayMs?: number;
}

export type StubHandler = (req: StubRequest) => StubAnswer | Promise<StubAnswer>;

export interface Stub {
  url: string;
  requests: StubRequest[];
  setHandler(handler: StubHandler): void;
  close(): Promise<void>;
}

export async function startStub(initial: StubHandler): Promise<Stub> {
  let handler = initial;
  const requests: StubRequest[] = [];
  const app: FastifyInstance = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    done(null, body);
  });
  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE'],
    url: '/*',
    handler: async (request, reply) => {
      const [path = '', query = ''] = request.url.split('?');
      const req: StubRequest = {
        method: request.method,
        path: path.replace(/^\/api2\/json/, ''),
        query: new URLSearchParams(query),
        body: typeof request.body === 'string' ? request.body : '',
        headers: request.headers,
      };
      requests.push(req);
      const answer = await handler(req);
      if (answer.delayMs) await new Promise((r) => setTimeout(r, answer.delayMs));
      if (answer.reason !== undefined) reply.raw.statusMessage = answer.reason;
      reply.code(answer.status ?? 200);
      if (answer.raw !== undefined) return reply.send(answer.raw);
      return reply
        .header('content-type', 'application/json;charset=UTF-8')
        .send(JSON.stringify(answer.body ?? { data: null }));
    },
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    setHandler: (h) => {
      handler = h;
    },
    close: () => app.close(),
  };
}

export async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 5));
  }
}
