import { Body, Controller, Delete, Get, Param, Post, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../platform/access/access.decorators';
import { NotFoundError } from '../../platform/errors/app-error';
import { WithMessage } from '../../platform/http/envelope';
import { ApiEnvelope } from '../../platform/openapi/api-envelope.decorator';
import { IpAllocationService } from './ip-allocation.service';
import { IpAllocationDto, IpPoolBodyDto, IpPoolDetailDto, IpPoolDto } from './ip-pool.dto';
import { IpPoolsService } from './ip-pools.service';

/** A pool id from the path: a positive integer, else no such pool (404). */
function poolId(raw: string): number {
  const id = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647) throw new NotFoundError(`IP pool ${raw}`);
  return id;
}

/** IP pools (docs/api.md §3.3): administrators define them; server creation allocates from them. */
@ApiTags('ip-pools')
@Controller('api/ip_pools')
export class IpPoolsController {
  constructor(
    private readonly pools: IpPoolsService,
    private readonly allocations: IpAllocationService,
  ) {}

  @Get()
  @RequirePermission('admin_access')
  @ApiOperation({ summary: 'Every IP pool with its usage' })
  @ApiEnvelope([IpPoolDto])
  async list(): Promise<IpPoolDto[]> {
    return (await this.pools.list()).map((pool) => IpPoolDto.from(pool));
  }

  @Post()
  @RequirePermission('admin_access')
  @ApiOperation({
    summary: 'Define an IP pool',
    description:
      'The network is /16 to /30 without host bits; the gateway and the range are hosts inside it; the ' +
      'network overlaps no other pool. Each problem is named in `details.fields`.',
  })
  @ApiEnvelope(IpPoolDto, 201)
  async create(@Body() body: IpPoolBodyDto): Promise<WithMessage<IpPoolDto>> {
    const created = IpPoolDto.from(await this.pools.create(body));
    return new WithMessage(created, `IP pool ${created.cidr} on ${created.bridge} created`);
  }

  @Get(':id')
  @RequirePermission('admin_access')
  @ApiOperation({ summary: 'One IP pool, its usage and every address held in it' })
  @ApiEnvelope(IpPoolDetailDto)
  async one(@Param('id') id: string): Promise<IpPoolDetailDto> {
    const pool = await this.pools.get(poolId(id));
    const held = await this.allocations.list({ poolId: pool.pool.id });
    return Object.assign(IpPoolDto.from(pool), {
      allocations: held.map((lease) => IpAllocationDto.from(lease)),
    });
  }

  @Put(':id')
  @RequirePermission('admin_access')
  @ApiOperation({
    summary: 'Change an IP pool',
    description:
      'As creation; besides, the addresses in use must stay inside the network and must not be the new ' +
      'gateway, and a pool holding addresses keeps its bridge.',
  })
  @ApiEnvelope(IpPoolDto)
  async update(@Param('id') id: string, @Body() body: IpPoolBodyDto): Promise<WithMessage<IpPoolDto>> {
    const updated = IpPoolDto.from(await this.pools.update(poolId(id), body));
    return new WithMessage(updated, `IP pool ${updated.cidr} on ${updated.bridge} changed`);
  }

  @Delete(':id')
  @RequirePermission('admin_access')
  @ApiOperation({ summary: 'Delete an IP pool; 409 while it holds addresses' })
  @ApiEnvelope(null)
  async remove(@Param('id') id: string): Promise<WithMessage<null>> {
    const pool = await this.pools.delete(poolId(id));
    return new WithMessage(null, `IP pool ${pool.cidr} on ${pool.bridge} deleted`);
  }
}
