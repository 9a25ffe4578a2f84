import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { StreamableFile } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { toErrorEnvelope } from '../errors/error-envelope';
import { JsonTextPage, toSuccessEnvelope } from './envelope';

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Request ids: the caller's X-Request-Id when it is a sane token, else a fresh UUID. */
function requestId(request: IncomingMessage): string {
  const given = request.headers['x-request-id'];
  return typeof given === 'string' && /^[A-Za-z0-9._-]{1,100}$/.test(given) ? given : randomUUID();
}

/**
 * Errors Fastify answers before any route runs (a path segment over maxParamLength: 414, a malformed URL:
 * 400), in the error envelope like every other error.
 */
function frameworkError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  const mapped = toErrorEnvelope(error, request.id);
  void reply.status(mapped.status).headers(mapped.headers).send(mapped.body);
}

/**
 * Errors Node's HTTP parser raises before there is a request (headers or request line over 16 KiB: 431; a
 * request that is not HTTP: 400; too slow: 408): written straight to the socket, in the error envelope.
 */
function clientError(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason, code, message] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [
          431,
          'Request Header Fields Too Large',
          'HEADERS_TOO_LARGE',
          'The request line or headers exceed 16 KiB',
        ]
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'REQUEST_TIMEOUT', 'The request took too long to arrive']
        : [400, 'Bad Request', 'BAD_REQUEST', 'The request is not valid HTTP'];
  const body = JSON.stringify({ success: false, error: message, code, request_id: randomUUID() });
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `Content-Type: application/json; charset=utf-8\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * Nest's Fastify adapter with Proxdeck's answers: every value a handler returns goes out in the success
 * envelope, written here and nowhere else (handlers that write their own answer take `@Res()`, and Nest then
 * does not call `reply`); errors Fastify and Node raise before the routes come out in the error envelope.
 * The envelope costs nothing per request beyond building it: no hook, no interceptor.
 */
export class ProxdeckFastifyAdapter extends FastifyAdapter {
  constructor(options: { trustProxy: boolean }) {
    super({
      bodyLimit: BODY_LIMIT_BYTES,
      trustProxy: options.trustProxy,
      genReqId: requestId,
      frameworkErrors: frameworkError,
      clientErrorHandler: clientError,
      // `/api/admin/` as api.md writes it, and any path with a trailing slash, is the same route.
      routerOptions: { ignoreTrailingSlash: true },
    });
  }

  override reply(
    response: Parameters<FastifyAdapter['reply']>[0],
    body: unknown,
    statusCode?: number,
  ): FastifyReply {
    if (body instanceof StreamableFile) return super.reply(response, body, statusCode);
    if (body instanceof JsonTextPage) {
      void (response as FastifyReply).header('content-type', 'application/json; charset=utf-8');
      return super.reply(response, body.toJson(), statusCode);
    }
    const envelope = toSuccessEnvelope(body);
    return super.reply(response, envelope.body, envelope.status ?? statusCode);
  }
}
