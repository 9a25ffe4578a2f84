import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../platform/access/access.decorators';
import { CurrentPrincipal, type Principal } from '../../platform/access/principal';
import { NotFoundError } from '../../platform/errors/app-error';
import type { TaskAccepted } from '../../platform/http/envelope';
import { ApiEnvelope, ApiTaskAccepted } from '../../platform/openapi/api-envelope.decorator';
import { SERVER_NAME } from '../servers';
import {
  BackupDto,
  BackupOverviewDto,
  BackupRefDto,
  BackupStatusDto,
  DeletedBackupDto,
  NODE_NAME,
  ProtectBackupDto,
  RestoreBackupDto,
  RunBackupDto,
} from './backups.dto';
import { BackupsService } from './backups.service';

function serverName(raw: string): string {
  if (!SERVER_NAME.test(raw)) throw new NotFoundError(`Server ${raw.slice(0, 63)}`);
  return raw;
}

/** vzdump backups: run, list, status, delete, protection and notes (docs/api.md §8, §15). */
@ApiTags('backups')
@Controller('api')
export class BackupsController {
  constructor(private readonly backups: BackupsService) {}

  @Post('server/backup/:server_name')
  @HttpCode(202)
  @RequirePermission('manage_backups')
  @ApiOperation({
    summary:
      "Backs a server up with vzdump (a task that follows Proxmox's task to its end and finds the archive); 409 while a backup of it runs, in Proxdeck or in Proxmox (lock: backup)",
  })
  @ApiTaskAccepted()
  async run(
    @CurrentPrincipal() principal: Principal,
    @Param('server_name') name: string,
    @Body() body: RunBackupDto,
  ): Promise<TaskAccepted> {
    return this.backups.run(principal, serverName(name), body);
  }

  @Get('server/backups/:server_name')
  @RequirePermission('view_all')
  @ApiOperation({ summary: "A server's backups on every storage with backup content, newest first" })
  @ApiEnvelope([BackupDto])
  async list(@Param('server_name') name: string): Promise<BackupDto[]> {
    return this.backups.forServer(serverName(name));
  }

  @Get('server/backup/status')
  @RequirePermission('view_all')
  @ApiOperation({ summary: 'The backup status of every server with a running or recent (24 h) backup' })
  @ApiEnvelope([BackupStatusDto])
  async allStatus(): Promise<BackupStatusDto[]> {
    return this.backups.allStatus();
  }

  @Get('server/backup/status/:server_name')
  @RequirePermission('view_all')
  @ApiOperation({ summary: "A server's backup status: its latest backup task and last successful backup" })
  @ApiEnvelope(BackupStatusDto)
  async status(@Param('server_name') name: string): Promise<BackupStatusDto> {
    return this.backups.status(serverName(name));
  }

  @Get('server/backup/:server_name/status')
  @RequirePermission('view_all')
  @ApiOperation({ summary: 'The same as GET /api/server/backup/status/{server_name}' })
  @ApiEnvelope(BackupStatusDto)
  async statusAlias(@Param('server_name') name: string): Promise<BackupStatusDto> {
    return this.backups.status(serverName(name));
  }

  @Get('backups/nodes')
  @RequirePermission('view_all')
  @ApiOperation({
    summary:
      'Every backup in the cluster (one read per storage per node; a shared storage read once), with totals per node',
  })
  @ApiEnvelope(BackupOverviewDto)
  async overview(): Promise<BackupOverviewDto> {
    return this.backups.overview();
  }

  @Get('backups/nodes/:node_name')
  @RequirePermission('view_all')
  @ApiOperation({
    summary: 'The backups one node reads: its own storages and the shared ones; 404 for an unknown node',
  })
  @ApiEnvelope(BackupOverviewDto)
  async node(@Param('node_name') node: string): Promise<BackupOverviewDto> {
    if (!NODE_NAME.test(node)) throw new NotFoundError(`Node ${node.slice(0, 63)}`);
    return this.backups.overview(node);
  }

  @Post('backups/restore')
  @HttpCode(202)
  @RequirePermission('manage_backups')
  @ApiOperation({
    summary:
      'Restores a backup as a task: with `name`, into a new VM for a new server (addresses allocated, cloud-init updated, running when the task ends); otherwise over the original VM, which must be stopped (409), confirmed with `overwrite: true` (400 without)',
  })
  @ApiTaskAccepted()
  async restore(
    @CurrentPrincipal() principal: Principal,
    @Body() body: RestoreBackupDto,
  ): Promise<TaskAccepted> {
    return this.backups.restore(principal, body);
  }

  @Post('backups/delete')
  @HttpCode(200)
  @RequirePermission('manage_backups')
  @ApiOperation({ summary: 'Deletes a backup archive; 409 for a protected one' })
  @ApiEnvelope(DeletedBackupDto)
  async remove(@Body() body: BackupRefDto): Promise<DeletedBackupDto> {
    return this.backups.remove(body);
  }

  @Post('backups/protect')
  @HttpCode(200)
  @RequirePermission('manage_backups')
  @ApiOperation({ summary: 'Protects or unprotects a backup, and sets its notes' })
  @ApiEnvelope(BackupDto)
  async protect(@Body() body: ProtectBackupDto): Promise<BackupDto> {
    return this.backups.protect(body);
  }
}
