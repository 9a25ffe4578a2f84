import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../platform/access/access.decorators';
import { CurrentPrincipal, type Principal } from '../../platform/access/principal';
import { NotFoundError } from '../../platform/errors/app-error';
import type { TaskAccepted } from '../../platform/http/envelope';
import { ApiEnvelope, ApiTaskAccepted } from '../../platform/openapi/api-envelope.decorator';
import {
  BACKUP_JOB_ID,
  BackupJobBodyDto,
  BackupJobDto,
  NotCoveredServerDto,
  SchedulePreviewDto,
  SchedulePreviewQueryDto,
} from './backup-jobs.dto';
import { BackupJobsService } from './backup-jobs.service';
import { DeletedBackupJobDto } from './backups.dto';

function jobId(raw: string): string {
  if (!BACKUP_JOB_ID.test(raw)) throw new NotFoundError(`Backup job ${raw.slice(0, 50)}`);
  return raw;
}

/** Scheduled backups as Proxmox backup jobs (docs/api.md §15): CRUD, run now, coverage, schedule previews. */
@ApiTags('backups')
@Controller('api/backups')
export class BackupJobsController {
  constructor(private readonly jobs: BackupJobsService) {}

  @Get('jobs')
  @RequirePermission('view_all')
  @ApiOperation({
    summary:
      "Proxmox's scheduled backup jobs (/cluster/backup), each with its next runs and last result (from the cluster task list and runs started here)",
  })
  @ApiEnvelope([BackupJobDto])
  async list(): Promise<BackupJobDto[]> {
    return this.jobs.list();
  }

  @Get('jobs/preview')
  @RequirePermission('view_all')
  @ApiOperation({
    summary:
      "The next runs of a schedule in Proxmox's calendar-event format; 400 naming schedule when Proxmox would refuse it",
  })
  @ApiEnvelope(SchedulePreviewDto)
  async preview(@Query() query: SchedulePreviewQueryDto): Promise<SchedulePreviewDto> {
    return this.jobs.preview(query.schedule);
  }

  @Post('jobs')
  @HttpCode(201)
  @RequirePermission('manage_backups')
  @ApiOperation({
    summary:
      'Creates a Proxmox backup job (runs from the nodes, also while Proxdeck is down; visible in Proxmox)',
  })
  @ApiEnvelope(BackupJobDto, 201)
  async create(@Body() body: BackupJobBodyDto): Promise<BackupJobDto> {
    return this.jobs.create(body);
  }

  @Put('jobs/:id')
  @RequirePermission('manage_backups')
  @ApiOperation({ summary: 'Replaces a backup job’s settings (enable or disable it with `enabled`)' })
  @ApiEnvelope(BackupJobDto)
  async update(@Param('id') id: string, @Body() body: BackupJobBodyDto): Promise<BackupJobDto> {
    return this.jobs.update(jobId(id), body);
  }

  @Delete('jobs/:id')
  @RequirePermission('manage_backups')
  @ApiOperation({ summary: 'Deletes a backup job (its backups stay)' })
  @ApiEnvelope(DeletedBackupJobDto)
  async remove(@Param('id') id: string): Promise<DeletedBackupJobDto> {
    return this.jobs.remove(jobId(id));
  }

  @Post('jobs/:id/run')
  @HttpCode(202)
  @RequirePermission('manage_backups')
  @ApiOperation({
    summary: "Runs a backup job now: a task following each node's vzdump to its end; 409 while it runs",
  })
  @ApiTaskAccepted()
  async run(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<TaskAccepted> {
    return this.jobs.run(principal, jobId(id));
  }

  @Get('not-covered')
  @RequirePermission('view_all')
  @ApiOperation({ summary: "Servers no enabled backup job selects (Proxmox's backup-info/not-backed-up)" })
  @ApiEnvelope([NotCoveredServerDto])
  async notCovered(): Promise<NotCoveredServerDto[]> {
    return this.jobs.notCovered();
  }
}
