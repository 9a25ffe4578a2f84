/**
 * The IP pools module's public surface. The server-creation pipeline allocates addresses through
 * `IpAllocationService` (import `IpPoolsModule`); the seed makes the simulator's pool exist.
 */
export { IpPoolsModule } from './ip-pools.module';
export { IpAllocationService } from './ip-allocation.service';
export type { IpAllocationRequest, IpLease } from './ip-allocation.service';
export { seedSimulatorIpPool, SIMULATOR_POOL } from './simulator-pool';
