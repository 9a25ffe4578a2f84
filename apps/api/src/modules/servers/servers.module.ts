import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../../platform/events/events.module';
import { ProxmoxModule } from '../../platform/proxmox/proxmox.module';
import { DatastoresModule } from '../datastores';
import { IpPoolsModule } from '../ip-pools';
import { NotificationsModule } from '../notifications';
import { CreationPipeline } from './creation-pipeline';
import { CreationPlanner } from './creation-planner';
import { ServerCreation } from './server-creation';
import { Server } from './server.entity';
import { ServerActions } from './server-actions';
import { ServerConfig } from './server-config';
import { ServerDisks } from './server-disks';
import { ServerEvent } from './server-event.entity';
import { ServerHistory } from './server-history';
import { ServerLogs } from './server-logs';
import { ServerRoles } from './server-roles';
import { ServerOperations } from './server-operations';
import { ServerOperationsController } from './server-operations.controller';
import { ServerImporter } from './server-importer';
import { ServerListCache } from './server-list-cache';
import { ServerSync } from './server-sync';
import { ServersController } from './servers.controller';
import { ServersJobs } from './servers.jobs';
import { ServersRepository } from './servers.repository';
import { VolumeOwners } from './volume-owners';
import { ServersService } from './servers.service';

/** The server inventory, its sync with Proxmox, and every server's life: creation to deletion (docs/api.md §3). */
@Module({
  imports: [
    TypeOrmModule.forFeature([Server, ServerEvent]),
    EventsModule,
    ProxmoxModule,
    DatastoresModule,
    IpPoolsModule,
    NotificationsModule,
  ],
  controllers: [ServersController, ServerOperationsController],
  providers: [
    ServersRepository,
    ServerListCache,
    ServersService,
    ServerSync,
    ServerImporter,
    ServersJobs,
    CreationPlanner,
    CreationPipeline,
    ServerCreation,
    ServerHistory,
    ServerOperations,
    ServerActions,
    ServerConfig,
    ServerDisks,
    ServerLogs,
    ServerRoles,
    VolumeOwners,
  ],
  exports: [ServersRepository, ServersService, ServerSync, ServerHistory, ServerRoles, CreationPipeline],
})
export class ServersModule {}
