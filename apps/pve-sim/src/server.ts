/**
 * The HTTP side of pveproxy: Fastify serving `/api2/json/*` with PVE's envelope, reason phrases, auth stage,
 * CSRF check, parameter merging (query overrides body) and schema validation, plus the admin route.
 */
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { matchEndpoint, validateParams, type RawParamValue } from '@proxdeck/pve-client';
import type { AuthInfo } from './auth';
import { EnvelopeWithExtras, type RouteTable, type SimServices } from './context';
import { parseFaults } from './faults';
import { PveHttpError, paramError } from './http-error';

export interface ServerOptions {
  https?: { key: string; cert: string };
  /** Delay of every 401 answer, in real milliseconds (PVE: AUTH_FAILURE_DELAY_MS). */
  authFailureDelayMs?: number;
}

/** pve-http-server AnyEvent.pm delays every unauthorized answer by 3 s. */
export const AUTH_FAILURE_DELAY_MS = 3000;

const BODY_LIMIT = 512 * 1024;

export function buildServer(sim: SimServices, routes: RouteTable, options: ServerOptions): FastifyInstance {
  const app = Fastify({
    bodyLimit: BODY_LIMIT,
    ...(options.https ? { https: { key: options.https.key, cert: options.https.cert } } : {}),
  }) as unknown as FastifyInstance;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body);
    if (text.trim() === '') {
      done(null, {});
      return;
    }
    try {
      done(null, JSON.parse(text) as unknown);
    } catch {
      done(new PveHttpError(400, 'invalid JSON body'), undefined);
    }
  });
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => {
    done(null, parseForm(String(body)));
  });

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof PveHttpError) {
      void sendError(reply, error);
      return;
    }
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    void sendError(reply, new PveHttpError(status, error instanceof Error ? error.message : String(error)));
  });

  app.route({
    method: ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'],
    url: '/api2/json/*',
    handler: async (request, reply) => handleApi(sim, routes, options, request, reply),
  });

  app.get('/_sim/faults', async (request, reply) => {
    requireAdmin(sim, request);
    return reply.send(sim.faults.current);
  });
  app.put('/_sim/faults', async (request, reply) => {
    requireAdmin(sim, request);
    sim.faults.set(parseFaults(request.body));
    return reply.send(sim.faults.current);
  });
  app.get('/_sim/tasks/concurrency', async (request, reply) => {
    requireAdmin(sim, request);
    return reply.send(sim.tasks.concurrency());
  });
  app.get('/', async (_request, reply) =>
    reply.type('text/html').send('<html><body>Proxmox VE simulator (Proxdeck)</body></html>'),
  );
  return app;
}

async function handleApi(
  sim: SimServices,
  routes: RouteTable,
  options: ServerOptions,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const rawUrl = request.url;
  const q = rawUrl.indexOf('?');
  const apiPath = (q === -1 ? rawUrl : rawUrl.slice(0, q)).slice('/api2/json'.length) || '/';
  const method = request.method.toUpperCase();
  try {
    const latency = sim.faults.latencyMs();
    if (latency > 0) await sleep(latency);
    const match = matchEndpoint(method, apiPath.replace(/\/+$/, '') || '/', sim.release);
    const handler = match ? routes.get(match.key) : undefined;
    if (!match || !handler) throw new PveHttpError(501, `Method '${method} ${apiPath}' not implemented`);

    // Auth stage (HTTPServer.pm auth_handler).
    let auth: AuthInfo = { userid: '', upidUser: '', kind: 'none' };
    const tokenHeader = request.headers.authorization?.startsWith('PVEAPIToken') ?? false;
    if (match.schema.permissionUser !== 'world' || tokenHeader) auth = authenticate(sim, request, method);

    const injected = sim.faults.drawServerError();
    if (injected !== undefined) throw new PveHttpError(injected, 'injected fault: service unavailable');
    const node = match.pathParams.node;
    if (node !== undefined && match.schema.proxyto === 'node' && sim.faults.nodeUnreachable(node)) {
      throw new PveHttpError(596, 'Connection refused', undefined, true);
    }

    // Parameters: body, then query (overrides), then path placeholders: a contradiction is a parameter error
    // under that placeholder's name (HTTPServer.pm rest_handler).
    const body = (typeof request.body === 'object' && request.body !== null ? request.body : {}) as Record<
      string,
      RawParamValue
    >;
    const params: Record<string, RawParamValue> = {
      ...body,
      ...parseForm(q === -1 ? '' : rawUrl.slice(q + 1)),
    };
    for (const [name, value] of Object.entries(match.pathParams)) {
      const given = params[name];
      if (given !== undefined && (typeof given === 'object' || `${given}` !== value)) {
        throw paramError({ [name]: 'duplicate parameter (already defined in URI) with conflicting values!' });
      }
      params[name] = value;
    }
    if (auth.kind === 'token' && match.schema.allowtoken === 0) {
      throw new PveHttpError(
        403,
        `Permission check failed (URI '${apiPath}' not available with API token, need proper ticket.)`,
      );
    }
    // The schema's permissions block, on the merged parameters (before their validation, as PVE does).
    sim.auth.checker.checkApi(
      { authid: auth.upidUser },
      {
        ...(match.schema.permissionUser !== undefined ? { user: match.schema.permissionUser } : {}),
        ...(match.schema.permissions !== undefined ? { check: match.schema.permissions } : {}),
      },
      params,
    );
    const { values, errors } = validateParams(match.schema, params);
    if (Object.keys(errors).length > 0) throw new PveHttpError(400, 'Parameter verification failed.', errors);

    const result = await handler({ sim, auth, params: values });
    sim.persist();
    const envelope =
      result instanceof EnvelopeWithExtras
        ? { data: result.data ?? null, ...result.extras }
        : { data: result ?? null };
    return await reply
      .code(200)
      .header('content-type', 'application/json;charset=UTF-8')
      .send(JSON.stringify(envelope));
  } catch (error) {
    const pveError =
      error instanceof PveHttpError
        ? error
        : new PveHttpError(500, error instanceof Error ? error.message : String(error));
    if (pveError.status === 401 && (options.authFailureDelayMs ?? 0) > 0)
      await sleep(options.authFailureDelayMs ?? 0);
    return sendError(reply, pveError);
  }
}

function authenticate(sim: SimServices, request: FastifyRequest, method: string): AuthInfo {
  const header = request.headers.authorization;
  if (header?.startsWith('PVEAPIToken')) {
    const auth = sim.auth.verifyTokenHeader(header);
    if (!auth) throw new PveHttpError(401, 'Authentication failed!', undefined, true);
    return auth;
  }
  let ticket = cookieValue(request.headers.cookie, 'PVEAuthCookie');
  if (ticket === undefined && header?.startsWith('PVEAuthCookie='))
    ticket = header.slice('PVEAuthCookie='.length);
  if (ticket === undefined) throw new PveHttpError(401, 'No ticket', undefined, true);
  const userid = sim.auth.verifyTicket(safeDecode(ticket));
  if (userid === undefined) throw new PveHttpError(401, 'Authentication failed!', undefined, true);
  if (method !== 'GET') {
    const csrf = request.headers.csrfpreventiontoken;
    if (!sim.auth.verifyCsrf(Array.isArray(csrf) ? csrf[0] : csrf, userid)) {
      throw new PveHttpError(401, 'Permission denied - invalid csrf token', undefined, true);
    }
  }
  return { userid, upidUser: userid, kind: 'ticket' };
}

function requireAdmin(sim: SimServices, request: FastifyRequest): void {
  const auth = authenticate(sim, request, request.method);
  if (auth.userid !== 'root@pam') throw new PveHttpError(403, 'Permission check failed (/, Sys.Modify)');
}

/** PVE's error answer: reason phrase = first line; body `{data:null, message, errors?}`; auth 401s bodiless. */
function sendError(reply: FastifyReply, error: PveHttpError): FastifyReply {
  const firstLine = error.message.split('\n')[0] ?? '';
  reply.raw.statusMessage = firstLine.replace(/[^\x20-\x7e]/g, '?') || 'Error';
  reply.code(error.status);
  if (error.emptyBody) return reply.send('');
  const body: Record<string, unknown> = { data: null, message: `${error.message.replace(/\n+$/, '')}\n` };
  if (error.errors) body.errors = error.errors;
  return reply.header('content-type', 'application/json;charset=UTF-8').send(JSON.stringify(body));
}

/** Form/query decoding that keeps repeated keys as arrays (PVE joins them for `-list` formats). */
export function parseForm(text: string): Record<string, RawParamValue> {
  const out: Record<string, RawParamValue> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const existing = out[key];
    if (existing === undefined) out[key] = value;
    else out[key] = Array.isArray(existing) ? [...(existing as RawParamValue[]), value] : [existing, value];
  }
  return out;
}

function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const part of cookieHeader.split(';')) {
    const [k, ...rest] = part.trim().split('=');
    if (k === name) return rest.join('=');
  }
  return undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
