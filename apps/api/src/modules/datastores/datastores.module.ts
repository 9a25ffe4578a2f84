import { Module } from '@nestjs/common';
import { ProxmoxModule } from '../../platform/proxmox/proxmox.module';
import { DatastoreCatalog } from './datastore-catalog';
import { DatastoresController } from './datastores.controller';
import { DatastoresService } from './datastores.service';

/** Datastores (docs/api.md §5). Other modules read them and the defaults through DatastoreCatalog. */
@Module({
  imports: [ProxmoxModule],
  controllers: [DatastoresController],
  providers: [DatastoresService, DatastoreCatalog],
  exports: [DatastoreCatalog],
})
export class DatastoresModule {}
