import { Module } from '@nestjs/common';
import { EventsModule } from '../../platform/events/events.module';
import { ProxmoxModule } from '../../platform/proxmox/proxmox.module';
import { IpPoolsModule } from '../ip-pools';
import { NotificationsModule } from '../notifications';
import { ServersModule } from '../servers';
import { CleanupController } from './cleanup.controller';
import { CleanupJobs } from './cleanup.jobs';
import { CleanupService } from './cleanup.service';

/** Cleanup of failed, stalled and vanished servers and of orphan VMs (docs/api.md §12). */
@Module({
  imports: [ServersModule, IpPoolsModule, NotificationsModule, EventsModule, ProxmoxModule],
  controllers: [CleanupController],
  providers: [CleanupService, CleanupJobs],
})
export class CleanupModule {}
