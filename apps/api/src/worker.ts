import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';
import { prepareDatabase } from './bootstrap';
import { JobRunner } from './platform/queue/job-runner';
import { loadConfig } from './platform/config/app-config';
import { ConfigValidationError } from './platform/config/config.schema';
import { appLogger } from './platform/logging/app-logger';

/** A worker process: the same modules as the API, no HTTP server, processing every queue. */
async function main(): Promise<void> {
  const config = loadConfig(process.env, undefined, 'worker');
  if (config.values.DATABASE_MIGRATE_ON_START) await prepareDatabase(config);
  const app = await NestFactory.createApplicationContext(AppModule.forRoot(config), {
    logger: appLogger(config),
  });
  app.enableShutdownHooks();
  await app.get(JobRunner).startProcessing();
  new Logger('Worker').log(`Worker ${process.pid} started`);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigValidationError ? error.message : error);
  process.exit(1);
});
