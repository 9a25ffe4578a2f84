import type { DataSource } from 'typeorm';
import { IpPool } from './ip-pool.entity';
import { lockPoolDefinitions } from './ip-pool-locks';
import { checkPoolDefinition, type PoolDefinition } from './ip-pool-rules';

/**
 * The pool for the built-in simulator's bridge: `vmbr0` of its nodes is 10.10.0.0/24 with the gateway
 * 10.10.0.1 (the nodes themselves are .11 to .13), so `auto` hands out .100 to .250.
 */
export const SIMULATOR_POOL: PoolDefinition = {
  bridge: 'vmbr0',
  cidr: '10.10.0.0/24',
  gateway: '10.10.0.1',
  range_start: '10.10.0.100',
  range_end: '10.10.0.250',
  dns: ['10.10.0.1'],
};

/**
 * With the embedded simulator, makes sure a pool exists for its bridge, so that servers can be created at once
 * (Quick start). Idempotent: nothing happens when any pool is defined for that bridge (`exists`), or when
 * another pool overlaps the simulator's network (`overlapped`). Returns what it did, for the seed's report.
 */
export async function seedSimulatorIpPool(
  dataSource: DataSource,
): Promise<'created' | 'exists' | 'overlapped'> {
  return dataSource.transaction(async (manager) => {
    await lockPoolDefinitions(manager);
    const pools = await manager.find(IpPool);
    if (pools.some((pool) => pool.bridge === SIMULATOR_POOL.bridge)) return 'exists';
    const outcome = checkPoolDefinition(SIMULATOR_POOL, pools);
    if ('problems' in outcome) return 'overlapped';
    await manager.save(
      manager.create(IpPool, {
        bridge: SIMULATOR_POOL.bridge,
        cidr: SIMULATOR_POOL.cidr,
        gateway: SIMULATOR_POOL.gateway,
        rangeStart: SIMULATOR_POOL.range_start,
        rangeEnd: SIMULATOR_POOL.range_end,
        dns: SIMULATOR_POOL.dns,
      }),
    );
    return 'created';
  });
}
