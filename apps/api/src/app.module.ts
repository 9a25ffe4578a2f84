import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SelftestModule } from './modules/selftest/selftest.module';
import { TasksModule } from './modules/tasks/tasks.module';
import { UsersModule } from './modules/users/users.module';
import { AuthModule } from './platform/auth/auth.module';
import type { AppConfig } from './platform/config/app-config';
import { ConfigModule } from './platform/config/config.module';
import { dataSourceOptions } from './platform/database/data-source';
import { EventsModule } from './platform/events/events.module';
import { HealthModule } from './platform/health/health.module';
import { ProxmoxModule } from './platform/proxmox/proxmox.module';
import { QueueModule } from './platform/queue/queue.module';
import { RedisModule } from './platform/redis/redis.module';
import { WebModule } from './platform/web/web.module';

/** The whole application. The HTTP server and the worker process boot the same modules. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot(dataSourceOptions(config.values.DATABASE_URL)),
        RedisModule,
        EventsModule,
        QueueModule,
        WebModule,
        ProxmoxModule,
        HealthModule,
        UsersModule,
        AuthModule,
        TasksModule,
        SelftestModule,
      ],
    };
  }
}
