import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../../platform/events/events.module';
import { ProxmoxModule } from '../../platform/proxmox/proxmox.module';
import { NotificationsModule } from '../notifications';
import { ServersModule } from '../servers';
import { Alert } from './alert.entity';
import { AlertsController } from './alerts.controller';
import { AlertsJobs } from './alerts.jobs';
import { AlertsService } from './alerts.service';
import { GrafanaController } from './grafana.controller';
import { MonitoringConfigController } from './monitoring-config.controller';
import { MonitoringSetting } from './monitoring-setting.entity';
import { MonitoringSettingsService } from './monitoring-settings.service';
import { MonitoringController } from './monitoring.controller';
import { MonitoringService } from './monitoring.service';
import { TcpProbeService } from './tcp-probe.service';

/** Server health, metrics, alerts and Prometheus service discovery (docs/api.md §10). */
@Module({
  imports: [
    TypeOrmModule.forFeature([Alert, MonitoringSetting]),
    ServersModule,
    ProxmoxModule,
    EventsModule,
    NotificationsModule,
  ],
  controllers: [MonitoringController, MonitoringConfigController, GrafanaController, AlertsController],
  providers: [MonitoringService, MonitoringSettingsService, TcpProbeService, AlertsService, AlertsJobs],
})
export class MonitoringModule {}
