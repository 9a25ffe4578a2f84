import { Module } from '@nestjs/common';
import { ProxmoxModule } from '../../platform/proxmox/proxmox.module';
import { ServersModule } from '../servers';
import { MonitoringController } from './monitoring.controller';
import { MonitoringService } from './monitoring.service';

/** Server health, metrics and Prometheus service discovery (docs/api.md §10). */
@Module({
  imports: [ServersModule, ProxmoxModule],
  controllers: [MonitoringController],
  providers: [MonitoringService],
})
export class MonitoringModule {}
