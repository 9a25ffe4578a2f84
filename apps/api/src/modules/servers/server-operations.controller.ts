import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../platform/access/access.decorators';
import { CurrentPrincipal, type Principal } from '../../platform/access/principal';
import { NotFoundError } from '../../platform/errors/app-error';
import type { TaskAccepted } from '../../platform/http/envelope';
import { ApiEnvelope, ApiTaskAccepted } from '../../platform/openapi/api-envelope.decorator';
import {
  AddDiskDto,
  BulkActionDto,
  BulkActionResultDto,
  PendingChangeDto,
  RebootServerDto,
  ResizeDiskDto,
  ServerConfigDto,
  ServerLogsDto,
  ServerLogsQueryDto,
  StopServerDto,
  UpdateServerConfigDto,
} from './server-config.dto';
import { ServerActions } from './server-actions';
import { ServerConfig } from './server-config';
import { ServerDisks } from './server-disks';
import { ServerLogs } from './server-logs';
import { SERVER_NAME } from './server-status';

/** A server name from the path: a DNS label, else no such server (404). */
function serverName(raw: string): string {
  if (!SERVER_NAME.test(raw)) throw new NotFoundError(`Server ${raw.slice(0, 63)}`);
  return raw;
}

/** A disk device from the path (`scsi1`, `virtio0`, …), else no such disk (404). */
function diskDevice(raw: string): string {
  if (!/^(scsi|virtio|sata|ide)\d{1,2}$/.test(raw)) throw new NotFoundError(`Disk ${raw.slice(0, 16)}`);
  return raw;
}

/** A server's life after its creation (docs/api.md §3.2): power, deletion, bulk actions, config, disks, logs. */
@ApiTags('servers')
@ApiExtraModels(PendingChangeDto)
@Controller('api')
export class ServerOperationsController {
  constructor(
    private readonly actions: ServerActions,
    private readonly config: ServerConfig,
    private readonly disks: ServerDisks,
    private readonly logs: ServerLogs,
  ) {}

  @Post('servers/bulk_action')
  @HttpCode(200)
  @RequirePermission('manage_servers')
  @ApiOperation({
    summary:
      'Starts, stops, reboots or deletes 1-100 servers as one task: 200 with the outcome when it ends within 30 s, else 202 with the task',
  })
  @ApiEnvelope(BulkActionResultDto)
  @ApiTaskAccepted()
  async bulk(
    @CurrentPrincipal() principal: Principal,
    @Body() body: BulkActionDto,
  ): Promise<TaskAccepted | BulkActionResultDto> {
    return this.actions.bulk(principal, body, true);
  }

  @Post('servers/bulk_action/async')
  @HttpCode(202)
  @RequirePermission('manage_servers')
  @ApiOperation({ summary: 'The same as POST /api/servers/bulk_action, answering with the task at once' })
  @ApiTaskAccepted()
  async bulkAsync(
    @CurrentPrincipal() principal: Principal,
    @Body() body: BulkActionDto,
  ): Promise<TaskAccepted | BulkActionResultDto> {
    return this.actions.bulk(principal, body, false);
  }

  @Post('servers/:name/start')
  @HttpCode(202)
  @RequirePermission('manage_servers')
  @ApiOperation({ summary: 'Starts a server (resumes a paused one); "already running" when it runs' })
  @ApiTaskAccepted()
  async start(@CurrentPrincipal() principal: Principal, @Param('name') name: string): Promise<TaskAccepted> {
    return this.actions.one(principal, serverName(name), 'start');
  }

  @Post('servers/:name/stop')
  @HttpCode(202)
  @RequirePermission('manage_servers')
  @ApiOperation({
    summary:
      'Shuts a server down within timeout_s (default 60); with force, powers it off after the timeout. Without force a timeout fails and the server keeps running',
  })
  @ApiTaskAccepted()
  async stop(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Body() body: StopServerDto = {},
  ): Promise<TaskAccepted> {
    return this.actions.one(principal, serverName(name), 'stop', body);
  }

  @Post('servers/:name/reboot')
  @HttpCode(202)
  @RequirePermission('manage_servers')
  @ApiOperation({
    summary: 'Reboots the guest (pending changes apply); with force, resets it (they do not)',
  })
  @ApiTaskAccepted()
  async reboot(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Body() body: RebootServerDto = {},
  ): Promise<TaskAccepted> {
    return this.actions.one(principal, serverName(name), 'reboot', body);
  }

  @Post('servers/:name/delete')
  @HttpCode(202)
  @RequirePermission('manage_servers')
  @ApiOperation({
    summary:
      'Deletes a server: stops and destroys its VM with its disks, releases its addresses and VMID, removes it. 409 when the VM is protected',
  })
  @ApiTaskAccepted()
  async delete(@CurrentPrincipal() principal: Principal, @Param('name') name: string): Promise<TaskAccepted> {
    return this.actions.one(principal, serverName(name), 'delete');
  }

  @Get('server/config/:name')
  @RequirePermission('view_all')
  @ApiOperation({
    summary: 'A server’s configuration in Proxmox, with the digest and what waits for a restart',
  })
  @ApiEnvelope(ServerConfigDto)
  async readConfig(@Param('name') name: string): Promise<ServerConfigDto> {
    return this.config.read(serverName(name));
  }

  @Put('server/config/:name')
  @RequirePermission('manage_servers')
  @ApiOperation({
    summary:
      'Changes CPU, memory, notes or tags; 409 when the digest is stale. CPU and memory of a running server apply at the next reboot (pending)',
  })
  @ApiEnvelope(ServerConfigDto)
  async updateConfig(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Body() body: UpdateServerConfigDto,
  ): Promise<ServerConfigDto> {
    return this.config.update(principal, serverName(name), body);
  }

  @Get('server/logs/:name')
  @RequirePermission('view_all')
  @ApiOperation({
    summary:
      'type=tasks: the VM’s Proxmox tasks with their logs; type=events: what Proxdeck did to it, by whom; type=guest: a guest log file through the guest agent',
  })
  @ApiEnvelope(ServerLogsDto)
  async readLogs(@Param('name') name: string, @Query() query: ServerLogsQueryDto): Promise<ServerLogsDto> {
    const server = serverName(name);
    if (query.type === 'events')
      return { type: 'events', events: await this.logs.events(server, query.limit) };
    if (query.type === 'guest') return { type: 'guest', guest: await this.logs.guest(server, query) };
    return { type: 'tasks', tasks: await this.logs.tasks(server, query.limit) };
  }

  @Post('server/disk/:name')
  @HttpCode(202)
  @RequirePermission('manage_servers')
  @ApiOperation({ summary: 'Adds a disk on the next free device of the interface (scsi by default)' })
  @ApiTaskAccepted()
  async addDisk(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Body() body: AddDiskDto,
  ): Promise<TaskAccepted> {
    return this.disks.requestAdd(principal, serverName(name), body);
  }

  @Put('server/disk/:name/:device')
  @HttpCode(202)
  @RequirePermission('manage_servers')
  @ApiOperation({ summary: 'Grows a disk to size_gb (a disk never shrinks)' })
  @ApiTaskAccepted()
  async resizeDisk(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Param('device') device: string,
    @Body() body: ResizeDiskDto,
  ): Promise<TaskAccepted> {
    return this.disks.requestResize(principal, serverName(name), diskDevice(device), body);
  }

  @Delete('server/disk/:name/:device')
  @HttpCode(202)
  @RequirePermission('manage_servers')
  @ApiOperation({ summary: 'Removes a disk and destroys its volume; the boot disk cannot be removed (409)' })
  @ApiTaskAccepted()
  async removeDisk(
    @CurrentPrincipal() principal: Principal,
    @Param('name') name: string,
    @Param('device') device: string,
  ): Promise<TaskAccepted> {
    return this.disks.requestRemove(principal, serverName(name), diskDevice(device));
  }
}
