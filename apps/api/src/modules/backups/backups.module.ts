import { Module } from '@nestjs/common';
import { ProxmoxModule } from '../../platform/proxmox/proxmox.module';
import { DatastoresModule } from '../datastores';
import { ServersModule } from '../servers';
import { BackupJobsController } from './backup-jobs.controller';
import { BackupJobsService } from './backup-jobs.service';
import { BackupsController } from './backups.controller';
import { BackupsJobs } from './backups.jobs';
import { BackupsService } from './backups.service';

/** vzdump backups of servers (docs/api.md §8, §15). */
@Module({
  imports: [ServersModule, DatastoresModule, ProxmoxModule],
  controllers: [BackupsController, BackupJobsController],
  providers: [BackupsService, BackupJobsService, BackupsJobs],
})
export class BackupsModule {}
