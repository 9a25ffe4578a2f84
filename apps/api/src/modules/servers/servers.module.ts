import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventsModule } from '../../platform/events/events.module';
import { ProxmoxModule } from '../../platform/proxmox/proxmox.module';
import { DatastoresModule } from '../datastores';
import { IpPoolsModule } from '../ip-pools';
import { CreationPipeline } from './creation-pipeline';
import { CreationPlanner } from './creation-planner';
import { ServerCreation } from './server-creation';
import { Server } from './server.entity';
import { ServerImporter } from './server-importer';
import { ServerListCache } from './server-list-cache';
import { ServerSync } from './server-sync';
import { ServersController } from './servers.controller';
import { ServersJobs } from './servers.jobs';
import { ServersRepository } from './servers.repository';
import { ServersService } from './servers.service';

/** The server inventory and its sync with Proxmox (docs/api.md §3). */
@Module({
  imports: [TypeOrmModule.forFeature([Server]), EventsModule, ProxmoxModule, DatastoresModule, IpPoolsModule],
  controllers: [ServersController],
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
  ],
  exports: [ServersRepository, ServersService, ServerSync],
})
export class ServersModule {}
