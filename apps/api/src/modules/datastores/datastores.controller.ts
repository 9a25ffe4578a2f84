import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../platform/access/access.decorators';
import { WithMessage } from '../../platform/http/envelope';
import { ApiEnvelope } from '../../platform/openapi/api-envelope.decorator';
import {
  DatastoreDefaultsBodyDto,
  DatastoreListDto,
  ProxmoxNodeStorageDto,
  ProxmoxStorageQueryDto,
} from './datastore.dto';
import { DatastoresService } from './datastores.service';

/** Datastores (docs/api.md §5): Proxmox storage as Proxdeck caches it, and the defaults for new disks. */
@ApiTags('datastores')
@Controller('api')
export class DatastoresController {
  constructor(private readonly datastores: DatastoresService) {}

  @Get('datastores')
  @RequirePermission('view_all')
  @ApiOperation({
    summary: 'The cached datastores with usage, and the HDD and SSD defaults',
    description: 'Read from Proxmox first when the cache is empty.',
  })
  @ApiEnvelope(DatastoreListDto)
  async list(): Promise<DatastoreListDto> {
    return DatastoreListDto.from(await this.datastores.list());
  }

  @Post('datastores/refresh')
  @HttpCode(200)
  @RequirePermission('manage_servers')
  @ApiOperation({ summary: 'Read the datastores from Proxmox again (the chosen defaults are kept)' })
  @ApiEnvelope(DatastoreListDto)
  async refresh(): Promise<WithMessage<DatastoreListDto>> {
    const list = DatastoreListDto.from(await this.datastores.refresh());
    return new WithMessage(list, `${String(list.datastores.length)} datastores read from Proxmox`);
  }

  @Post('datastores/default')
  @HttpCode(200)
  @RequirePermission('admin_access')
  @ApiOperation({
    summary: 'Set the HDD and SSD default datastores',
    description: 'Both must be known datastores holding disk images (`images` content).',
  })
  @ApiEnvelope(DatastoreListDto)
  async setDefaults(@Body() body: DatastoreDefaultsBodyDto): Promise<WithMessage<DatastoreListDto>> {
    const list = DatastoreListDto.from(
      await this.datastores.setDefaults({ hdd: body.hdd_datastore_id, ssd: body.ssd_datastore_id }),
    );
    return new WithMessage(list, `Defaults: HDD ${body.hdd_datastore_id}, SSD ${body.ssd_datastore_id}`);
  }

  @Get('proxmox_storage')
  @RequirePermission('view_all')
  @ApiOperation({ summary: 'Proxmox’s storage status per node, read now, as Proxmox reports it' })
  @ApiEnvelope([ProxmoxNodeStorageDto])
  async proxmoxStorage(@Query() query: ProxmoxStorageQueryDto): Promise<ProxmoxNodeStorageDto[]> {
    return (await this.datastores.proxmoxStorage(query.node)).map((status) =>
      ProxmoxNodeStorageDto.from(status),
    );
  }
}
