import { Global, Module } from '@nestjs/common';
import { RedisService } from './redis.service';

/** The process's Redis connections. Global: sessions, caches, queues and events all use them. */
@Global()
@Module({ providers: [RedisService], exports: [RedisService] })
export class RedisModule {}
