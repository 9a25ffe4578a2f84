import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import fastifyCookie from '@fastify/cookie';
import fastifyStatic from '@fastify/static';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { AppConfig } from './platform/config/app-config';
import { createDatabaseIfMissing } from './platform/database/database-admin';

import { AllExceptionsFilter } from './platform/errors/all-exceptions.filter';
import { createValidationPipe } from './platform/errors/validation';
import { registerEnvelopeHook } from './platform/http/envelope.hook';
import { appendRouteHook } from './platform/http/route-hooks';
import { securityHeaders } from './platform/http/security-headers';
import { MetricsService } from './platform/metrics/metrics.service';
import { appLogger } from './platform/logging/app-logger';
import { setUpOpenApi } from './platform/openapi/openapi';
import { SpaFallback } from './platform/web/spa-fallback';
import { seedDatabase } from './seed';

export const BODY_LIMIT_BYTES = 1024 * 1024;

/** Builds the HTTP application (not listening yet): Fastify, envelope, errors, validation, OpenAPI, SPA. */
export async function createHttpApp(config: AppConfig): Promise<NestFastifyApplication> {
  if (config.values.DATABASE_MIGRATE_ON_START) await prepareDatabase(config);
  const adapter = new FastifyAdapter({
    bodyLimit: BODY_LIMIT_BYTES,
    trustProxy: config.values.TRUST_PROXY,
    genReqId: (request: IncomingMessage) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._-]{1,100}$/.test(given) ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: appLogger(config),
    bufferLogs: false,
  });
  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(fastifyCookie);
  registerEnvelopeHook(fastify);

  const metrics = app.get(MetricsService);
  const documentHeaders = securityHeaders();
  fastify.addHook('onSend', (request, reply, payload, done) => {
    // Documents (the SPA, the OpenAPI viewer) get helmet's full set; other answers only what matters to them.
    const isDocument = String(reply.getHeader('content-type') ?? '').startsWith('text/html');
    if (isDocument) void reply.headers(documentHeaders);
    else void reply.header('X-Content-Type-Options', 'nosniff');
    void reply.header('X-Request-Id', request.id);
    done(null, payload);
  });
  // Latency per route: each route gets a recorder bound to its path; requests no route matched are
  // counted under "unmatched".
  fastify.addHook('onRoute', (route) => {
    const recorders = new Map<string, (status: number, seconds: number) => void>();
    appendRouteHook(route, 'onResponse', (request, reply, done) => {
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

  const spa = app.get(SpaFallback);
  if (spa.isBuilt) {
    await fastify.register(fastifyStatic, { root: spa.distDir, wildcard: false, index: false, prefix: '/' });
  }
  app.useGlobalFilters(new AllExceptionsFilter(spa));
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();
  setUpOpenApi(app);
  return app;
}

/** Creates the database when missing, applies migrations and the idempotent seed (first admin). */
export async function prepareDatabase(config: AppConfig): Promise<void> {
  const { createDataSource } = await import('./platform/database/data-source');
  await createDatabaseIfMissing(config.values.DATABASE_URL);
  const dataSource: DataSource = await createDataSource(config.values.DATABASE_URL).initialize();
  try {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    if (applied.length > 0 && config.values.LOG_LEVEL !== 'silent')
      new Logger('Database').log(`Applied migrations: ${applied.map((m) => m.name).join(', ')}`);
    await seedDatabase(dataSource, config);
  } finally {
    await dataSource.destroy();
  }
}
