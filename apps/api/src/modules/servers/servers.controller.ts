import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../platform/access/access.decorators';
import { CurrentPrincipal, type Principal } from '../../platform/access/principal';
import { NotFoundError } from '../../platform/errors/app-error';
import { JsonTextPage, TaskAccepted } from '../../platform/http/envelope';
import { ApiEnvelope, ApiListEnvelope, ApiTaskAccepted } from '../../platform/openapi/api-envelope.decorator';
import { JobQueue } from '../../platform/queue/job-queue';
import {
  AllServerStatusDto,
  LiveServerStatusDto,
  ServerBriefDto,
  ServerDto,
  ServerListQueryDto,
  SyncServersDto,
} from './server.dto';
import { bulkEntries } from './creation-planner';
import { BulkCreateServersDto, CreateServerDto, CreationPreviewDto } from './server-create.dto';
import { ServerCreation } from './server-creation';
import { SERVER_NAME } from './server-status';
import { ServersService } from './servers.service';

/** A server name from the path: a DNS label, else no such server (404). */
function serverName(raw: string): string {
  if (!SERVER_NAME.test(raw)) throw new NotFoundError(`Server ${raw.slice(0, 63)}`);
  return raw;
}

/** The server inventory (docs/api.md §3.2): lists, the cluster at a glance, live status, sync. */
@ApiTags('servers')
@Controller('api')
export class ServersController {
  constructor(
    private readonly servers: ServersService,
    private readonly jobs: JobQueue,
    private readonly creation: ServerCreation,
  ) {}

  @Post('servers')
  @HttpCode(202)
  @RequirePermission('create_server')
  @ApiOperation({
    summary:
      'Creates a server from a cloud-init template: checked first (a 400 names every field at fault), then a task',
  })
  @ApiTaskAccepted()
  async create(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateServerDto,
  ): Promise<TaskAccepted> {
    return this.creation.create(principal, [{ body, field: '' }]);
  }

  @Post('servers/async')
  @HttpCode(202)
  @RequirePermission('create_server')
  @ApiOperation({ summary: 'The same as POST /api/servers (kept for old clients)' })
  @ApiTaskAccepted()
  async createAsync(
    @CurrentPrincipal() principal: Principal,
    @Body() body: CreateServerDto,
  ): Promise<TaskAccepted> {
    return this.creation.create(principal, [{ body, field: '' }]);
  }

  @Post('servers/preview')
  @HttpCode(200)
  @RequirePermission('create_server')
  @ApiOperation({
    summary:
      'Checks a creation (one server or a bulk body) as POST /api/create_servers_bulk would, and shows the names, nodes and addresses it would get; nothing is reserved',
  })
  @ApiEnvelope(CreationPreviewDto)
  async preview(@Body() body: BulkCreateServersDto): Promise<CreationPreviewDto> {
    return this.creation.preview(bulkEntries(body));
  }

  @Post('create_servers_bulk')
  @HttpCode(202)
  @RequirePermission('create_server')
  @ApiOperation({
    summary:
      'Creates 1-100 servers: a list (servers[]) or a pattern (base_name, count, start_index: base-01..base-NN); one task, an item per server',
  })
  @ApiTaskAccepted()
  async createBulk(
    @CurrentPrincipal() principal: Principal,
    @Body() body: BulkCreateServersDto,
  ): Promise<TaskAccepted> {
    return this.creation.create(principal, bulkEntries(body));
  }

  @Get('servers')
  @RequirePermission('view_all')
  @ApiOperation({ summary: 'Servers: filters status, node, role, firewall_group; q searches names and IPs' })
  @ApiListEnvelope(ServerDto)
  async list(@Query() query: ServerListQueryDto): Promise<JsonTextPage> {
    return this.servers.list(query);
  }

  @Get('servers/brief')
  @RequirePermission('view_all')
  @ApiOperation({ summary: 'Every server in a few fields, unpaged (for pickers)' })
  @ApiEnvelope([ServerBriefDto])
  async brief(): Promise<ServerBriefDto[]> {
    return this.servers.brief();
  }

  @Get('servers/:name')
  @RequirePermission('view_all')
  @ApiOperation({ summary: 'One server of the inventory' })
  @ApiEnvelope(ServerDto)
  async one(@Param('name') name: string): Promise<ServerDto> {
    return this.servers.get(serverName(name));
  }

  @Get('all_server_status')
  @RequirePermission('view_all')
  @ApiOperation({ summary: 'Every server by name, with the cluster’s figures per node' })
  @ApiEnvelope(AllServerStatusDto)
  async allStatus(): Promise<AllServerStatusDto> {
    return this.servers.allStatus();
  }

  @Get('server_status/:name')
  @RequirePermission('view_all')
  @ApiOperation({ summary: 'A server’s status read from Proxmox now' })
  @ApiEnvelope(LiveServerStatusDto)
  async liveStatus(@Param('name') name: string): Promise<LiveServerStatusDto> {
    return this.servers.liveStatus(serverName(name));
  }

  @Post('sync_servers')
  @HttpCode(202)
  @RequirePermission('manage_servers')
  @ApiOperation({
    summary: 'Compares the inventory with Proxmox now; reports unmanaged VMs and imports them if asked',
  })
  @ApiTaskAccepted()
  async sync(
    @CurrentPrincipal() principal: Principal,
    @Body() body: SyncServersDto = {},
  ): Promise<TaskAccepted> {
    const task = await this.jobs.enqueue(
      'servers.sync',
      { import_unmanaged: body.import_unmanaged ?? false },
      { createdBy: principal.user.id },
    );
    return new TaskAccepted(task.id, 'Server sync queued');
  }
}
