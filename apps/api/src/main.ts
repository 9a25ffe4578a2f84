import { Logger } from '@nestjs/common';
import { createHttpApp } from './bootstrap';
import { JobRunner } from './platform/queue/job-runner';
import { Scheduler } from './platform/queue/scheduler';
import { loadConfig } from './platform/config/app-config';
import { ConfigValidationError } from './platform/config/config.schema';

/** The HTTP server; it also processes jobs when RUN_WORKERS is true. */
async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createHttpApp(config);
  await app.listen({ port: config.values.PORT, host: config.values.HOST });
  // Every process registers the recurring jobs (idempotent); processing ones also run them.
  await app.get(Scheduler).register();
  if (config.values.RUN_WORKERS) await app.get(JobRunner).startProcessing();
  new Logger('Proxdeck').log(`API listening on ${await app.getUrl()}`);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigValidationError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
});
