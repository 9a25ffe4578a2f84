import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DataSource } from 'typeorm';
import { AppModule } from './app.module';
import { AuditRecorder } from './platform/audit/audit-recorder';
import type { AppConfig } from './platform/config/app-config';
import { createDatabaseIfMissing } from './platform/database/database-admin';
import { AllExceptionsFilter } from './platform/errors/all-exceptions.filter';
import { createValidationPipe } from './platform/errors/validation';
import { ProxdeckFastifyAdapter } from './platform/http/fastify-adapter';
import { configureHttpPipeline } from './platform/http/http-pipeline';
import { appLogger } from './platform/logging/app-logger';
import { MetricsService } from './platform/metrics/metrics.service';
import { setUpOpenApi } from './platform/openapi/openapi';
import { SpaFallback } from './platform/web/spa-fallback';
import { seedDatabase } from './seed';

/** Builds the HTTP application (not listening yet): Fastify, envelopes, errors, validation, OpenAPI, SPA. */
export async function createHttpApp(config: AppConfig): Promise<NestFastifyApplication> {
  if (config.values.DATABASE_MIGRATE_ON_START) await prepareDatabase(config);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    new ProxdeckFastifyAdapter({ trustProxy: config.values.TRUST_PROXY }),
    { logger: appLogger(config), bufferLogs: false, bodyParser: false },
  );
  const spa = app.get(SpaFallback);
  configureHttpPipeline(app.getHttpAdapter().getInstance(), {
    config,
    metrics: app.get(MetricsService),
    spa,
    resolveShedder: (type) => app.get(type, { strict: false }),
    audit: app.get(AuditRecorder),
  });
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
