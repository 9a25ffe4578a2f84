import { BullModule } from '@nestjs/bull';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { QUEUE_NAMES } from './jobs';

/** Bull on Redis, one queue per name in the job table. Processing is set up by the task runner. */
@Global()
@Module({
  imports: [
    BullModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        url: config.values.REDIS_URL,
        prefix: `${config.values.REDIS_PREFIX}:bull`,
        settings: {
          lockDuration: config.values.QUEUE_LOCK_DURATION_MS,
          lockRenewTime: Math.floor(config.values.QUEUE_LOCK_DURATION_MS / 2),
          stalledInterval: config.values.QUEUE_STALLED_INTERVAL_MS,
          maxStalledCount: 1,
        },
        defaultJobOptions: { removeOnComplete: 1000, removeOnFail: 5000 },
      }),
    }),
    BullModule.registerQueue(...QUEUE_NAMES.map((name) => ({ name }))),
  ],
  exports: [BullModule],
})
export class QueueModule {}
