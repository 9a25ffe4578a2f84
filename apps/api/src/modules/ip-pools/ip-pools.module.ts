import { Module } from '@nestjs/common';
import { IpAllocationService } from './ip-allocation.service';
import { IpPoolsController } from './ip-pools.controller';
import { IpPoolsService } from './ip-pools.service';

/** IP pools and address allocation (docs/api.md §3.3). Other modules allocate through IpAllocationService. */
@Module({
  controllers: [IpPoolsController],
  providers: [IpPoolsService, IpAllocationService],
  exports: [IpAllocationService],
})
export class IpPoolsModule {}
