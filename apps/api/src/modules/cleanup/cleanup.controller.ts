import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../platform/access/access.decorators';
import { CurrentPrincipal, type Principal } from '../../platform/access/principal';
import { NotFoundError } from '../../platform/errors/app-error';
import type { TaskAccepted } from '../../platform/http/envelope';
import { ApiEnvelope, ApiTaskAccepted } from '../../platform/openapi/api-envelope.decorator';
import { SERVER_NAME } from '../servers';
import { BulkCleanDto, CleanupCandidateDto, CleanupStatusDto } from './cleanup.dto';
import { CleanupService } from './cleanup.service';

function serverName(raw: string): string {
  if (!SERVER_NAME.test(raw)) throw new NotFoundError(`Server ${raw.slice(0, 63)}`);
  return raw;
}

/** Cleanup (docs/api.md §12): what failed creations and vanished VMs left behind, and removing it. */
@ApiTags('cleanup')
@Controller('api/cleanup')
export class CleanupController {
  constructor(private readonly cleanup: CleanupService) {}

  @Get('status/:server_name')
  @RequirePermission('view_all')
  @ApiOperation({
    summary: 'What is left of a server in Proxdeck and in Proxmox, and whether it needs cleaning',
  })
  @ApiEnvelope(CleanupStatusDto)
  async status(@Param('server_name') name: string): Promise<CleanupStatusDto> {
    return this.cleanup.status(serverName(name));
  }

  @Get('failed-servers')
  @RequirePermission('view_all')
  @ApiOperation({
    summary:
      'Failed servers, servers creating for too long, missing ones, and VMs tagged proxdeck with no record',
  })
  @ApiEnvelope([CleanupCandidateDto])
  async candidates(): Promise<CleanupCandidateDto[]> {
    return this.cleanup.candidates();
  }

  @Post('clean/:server_name')
  @HttpCode(202)
  @RequirePermission('manage_servers')
  @ApiOperation({
    summary:
      'Removes what a server left in Proxmox (only what Proxdeck made), releases its IPs and VMID, removes its record',
  })
  @ApiTaskAccepted()
  async clean(
    @CurrentPrincipal() principal: Principal,
    @Param('server_name') name: string,
  ): Promise<TaskAccepted> {
    return this.cleanup.clean(principal, [serverName(name)]);
  }

  @Post('bulk-clean')
  @HttpCode(202)
  @RequirePermission('manage_servers')
  @ApiOperation({ summary: 'Cleans several servers: one task, an item per server' })
  @ApiTaskAccepted()
  async bulkClean(
    @CurrentPrincipal() principal: Principal,
    @Body() body: BulkCleanDto,
  ): Promise<TaskAccepted> {
    return this.cleanup.clean(principal, body.server_names);
  }
}
