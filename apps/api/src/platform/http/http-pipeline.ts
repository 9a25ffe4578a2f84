import type { Type } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AuditRecorder } from '../audit/audit-recorder';
import type { AppConfig } from '../config/app-config';
import { ValidationFailedError } from '../errors/app-error';
import type { MetricsService } from '../metrics/metrics.service';
import type { SpaFallback } from '../web/spa-fallback';
import { loadStaticFiles, registerStaticFiles } from '../web/static-files';
import { BODY_LIMIT_BYTES } from './fastify-adapter';
import { registerLoadShedding, type RequestShedder } from './load-shedding';
import { appendRouteHook } from './route-hooks';
import { findUnsafeInput } from './safe-input';
import { securityHeaders } from './security-headers';

/**
 * Bodies are JSON and nothing else: other content types get 415 (a form-encoded body could be sent by
 * another site's form, which is how login CSRF works). JSON is parsed by Fastify's secure parser (no
 * `__proto__` poisoning), then refused when it nests too deep or holds NUL characters or lone surrogates.
 */
function registerJsonOnly(fastify: FastifyInstance): void {
  const parseSecurely = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES },
    (
      request: FastifyRequest,
      body: string | Buffer,
      done: (error: Error | null, value?: unknown) => void,
    ) => {
      void parseSecurely(request, body.toString(), (error: Error | null, value?: unknown) => {
        if (error) {
          done(error);
          return;
        }
        const unsafe = findUnsafeInput(value);
        if (unsafe) done(new ValidationFailedError({ [unsafe.field]: unsafe.problem }));
        else done(null, value);
      });
    },
  );
}

/**
 * Headers on every answer: documents (the SPA, the OpenAPI viewer) get helmet's full set; JSON answers are
 * never stored by browsers or proxies (they carry CSRF tokens and personal data); all get nosniff and the
 * request id.
 */
function registerResponseHeaders(fastify: FastifyInstance): void {
  const documentHeaders = securityHeaders();
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html')) void reply.headers(documentHeaders);
    else {
      void reply.header('X-Content-Type-Options', 'nosniff');
      if (type.startsWith('application/json')) void reply.header('Cache-Control', 'no-store');
    }
    void reply.header('X-Request-Id', request.id);
    done(null, payload);
  });
}

/**
 * Latency per route: each route gets a recorder bound to its path as it is registered (reading the route's
 * options per request would build an object each time); requests no route matched count as "unmatched".
 */
function registerLatencyMetric(fastify: FastifyInstance, metrics: MetricsService): void {
  fastify.addHook('onRoute', (route) => {
    const recorders = new Map<string, (status: number, seconds: number) => void>();
    appendRouteHook(route, 'onResponse', (request: FastifyRequest, reply: FastifyReply, done: () => void) => {
      let record = recorders.get(request.method);
      if (!record) {
        record = metrics.httpDuration.recorderFor(request.method, route.url);
        recorders.set(request.method, record);
      }
      record(reply.statusCode, reply.elapsedTime / 1000);
      done();
    });
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    if (request.is404) {
      metrics.httpDuration.observe(request.method, 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    }
    done();
  });
}

/**
 * Fastify's side of the request path, registered before the routes: early refusals of routes marked
 * @ShedWith, JSON-only bodies, response
 * headers, the latency metric, the audit trail's hook, and the built SPA's files from memory (source maps only outside production).
 */
export function configureHttpPipeline(
  fastify: FastifyInstance,
  {
    config,
    metrics,
    spa,
    resolveShedder,
    audit,
  }: {
    config: AppConfig;
    audit: Pick<AuditRecorder, 'register'>;
    metrics: MetricsService;
    spa: SpaFallback;
    resolveShedder: (type: Type<RequestShedder>) => RequestShedder;
  },
): void {
  registerLoadShedding(fastify, resolveShedder);
  registerJsonOnly(fastify);
  registerResponseHeaders(fastify);
  registerLatencyMetric(fastify, metrics);
  audit.register(fastify);
  if (spa.isBuilt) {
    registerStaticFiles(fastify, loadStaticFiles(spa.distDir, { sourceMaps: !config.isProduction }));
  }
}
