import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AdminModule } from './modules/admin';
import { AuthModule } from './modules/auth';
import { CleanupModule } from './modules/cleanup';
import { DatastoresModule } from './modules/datastores';
import { BackupsModule } from './modules/backups';
import { FirewallModule } from './modules/firewall';
import { IpPoolsModule } from './modules/ip-pools';
import { MonitoringModule } from './modules/monitoring';
import { NotificationsModule } from './modules/notifications';
import { RolesModule } from './modules/roles';
import { SelftestModule } from './modules/selftest';
import { ServersModule } from './modules/servers';
import { TasksModule } from './modules/tasks';
import { UsersIdentityDirectory, UsersModule } from './modules/users';
import { AccessModule } from './platform/access/access.module';
import { AuditModule } from './platform/audit/audit.module';
import type { AppConfig } from './platform/config/app-config';
import { ConfigModule } from './platform/config/config.module';
import { dataSourceOptions } from './platform/database/data-source';
import { HealthModule } from './platform/health/health.module';
import { MetricsModule } from './platform/metrics/metrics.module';
import { JOBS } from './platform/queue/jobs';
import { QueueModule } from './platform/queue/queue.module';
import { SCHEDULES } from './platform/queue/schedules';
import { RedisModule } from './platform/redis/redis.module';
import { WebModule } from './platform/web/web.module';

/**
 * The whole application, and the one place where the platform is wired to the domain modules (the access
 * layer's identity port to the users module). The HTTP server and the worker process boot the same modules.
 */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        TypeOrmModule.forRoot(dataSourceOptions(config.values.DATABASE_URL)),
        RedisModule,
        MetricsModule,
        QueueModule.forRoot({ jobs: JOBS, schedules: SCHEDULES }),
        WebModule,
        HealthModule,
        AuditModule,
        AccessModule.forRoot({ imports: [UsersModule], identity: UsersIdentityDirectory }),
        UsersModule,
        AuthModule,
        TasksModule,
        NotificationsModule,
        SelftestModule,
        IpPoolsModule,
        DatastoresModule,
        ServersModule,
        CleanupModule,
        FirewallModule,
        BackupsModule,
        RolesModule,
        MonitoringModule,
        AdminModule,
      ],
    };
  }
}
