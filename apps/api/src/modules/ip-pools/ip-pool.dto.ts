import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, MaxLength } from 'class-validator';
import type { IpLease } from './ip-allocation.service';
import type { PoolWithUsage } from './ip-pools.service';
import { MAX_DNS_SERVERS, type PoolDefinition } from './ip-pool-rules';

/** `{bridge, cidr, gateway, range_start, range_end, dns[]}` of docs/api.md §3.3; checked by the service. */
export class IpPoolBodyDto implements PoolDefinition {
  @ApiProperty({
    example: 'vmbr0',
    description: 'The Proxmox bridge whose NICs take addresses from this pool',
  })
  @IsString()
  @MaxLength(64)
  bridge!: string;

  @ApiProperty({ example: '10.20.0.0/24', description: 'The network, /16 to /30, no host bits set' })
  @IsString()
  @MaxLength(64)
  cidr!: string;

  @ApiProperty({ example: '10.20.0.1', description: 'A host of the network; never handed out' })
  @IsString()
  @MaxLength(64)
  gateway!: string;

  @ApiProperty({ example: '10.20.0.100', description: 'First address `auto` may hand out' })
  @IsString()
  @MaxLength(64)
  range_start!: string;

  @ApiProperty({ example: '10.20.0.200', description: 'Last address `auto` may hand out' })
  @IsString()
  @MaxLength(64)
  range_end!: string;

  @ApiPropertyOptional({ type: [String], example: ['10.20.0.1'], maxItems: MAX_DNS_SERVERS, default: [] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(16)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  dns: string[] = [];
}

/** An IP pool with its usage. */
export class IpPoolDto {
  @ApiProperty() id!: number;
  @ApiProperty({ example: 'vmbr0' }) bridge!: string;
  @ApiProperty({ example: '10.20.0.0/24' }) cidr!: string;
  @ApiProperty({ example: '10.20.0.1' }) gateway!: string;
  @ApiProperty({ example: '10.20.0.100' }) range_start!: string;
  @ApiProperty({ example: '10.20.0.200' }) range_end!: string;
  @ApiProperty({ type: [String] }) dns!: string[];
  @ApiProperty({ description: 'Addresses `auto` can hand out: the range, without the gateway' })
  capacity!: number;
  @ApiProperty({ description: 'Addresses held in the pool’s network, in the range or pinned outside it' })
  allocated!: number;
  @ApiProperty({ description: 'Addresses of the range still free for `auto`' }) free!: number;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;

  static from({ pool, capacity, allocated, free }: PoolWithUsage): IpPoolDto {
    return {
      id: pool.id,
      bridge: pool.bridge,
      cidr: pool.cidr,
      gateway: pool.gateway,
      range_start: pool.rangeStart,
      range_end: pool.rangeEnd,
      dns: [...pool.dns],
      capacity,
      allocated,
      free,
      created_at: pool.createdAt.toISOString(),
      updated_at: pool.updatedAt.toISOString(),
    };
  }
}

/** One address held by one NIC of one owner. */
export class IpAllocationDto {
  @ApiProperty({ example: '10.20.0.100' }) address!: string;
  @ApiProperty({ example: 24 }) prefix!: number;
  @ApiProperty({ example: '10.20.0.1' }) gateway!: string;
  @ApiProperty({ example: 'vmbr0' }) bridge!: string;
  @ApiProperty({ example: 'server:web-01', description: 'Who holds it' }) owner!: string;
  @ApiProperty({ description: 'The NIC index (0 for net0)' }) nic!: number;

  static from(lease: IpLease): IpAllocationDto {
    return {
      address: lease.address,
      prefix: lease.prefix,
      gateway: lease.gateway,
      bridge: lease.bridge,
      owner: lease.owner,
      nic: lease.nic,
    };
  }
}

/** A pool with every address held in it. */
export class IpPoolDetailDto extends IpPoolDto {
  @ApiProperty({ type: [IpAllocationDto] }) allocations!: IpAllocationDto[];
}
