import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../platform/errors/app-error';
import { IpAllocation } from './ip-allocation.entity';
import { byAddress } from './ip-allocation.service';
import { IpPool } from './ip-pool.entity';
import { lockPoolDefinitions } from './ip-pool-locks';
import { checkPoolDefinition, rangeCapacity, type CheckedPool, type PoolDefinition } from './ip-pool-rules';
import { contains, formatCidr, formatIpv4, parseIpv4 } from './ipv4';

/** A pool with how much of it is used. */
export interface PoolWithUsage {
  pool: IpPool;
  /** Addresses `auto` can hand out (the range, without the gateway). */
  capacity: number;
  /** Addresses held in the pool's network (in the range or pinned outside it). */
  allocated: number;
  /** Addresses of the range still free for `auto`. */
  free: number;
}

interface UsageRow {
  pool_id: number;
  allocated: string;
  in_range: string;
}

/** IP pool definitions (docs/api.md §3.3): administrators' CRUD, with the usage of each pool. */
@Injectable()
export class IpPoolsService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(): Promise<PoolWithUsage[]> {
    const pools = await this.dataSource.getRepository(IpPool).find({ order: { id: 'ASC' } });
    return this.withUsage(this.dataSource.manager, pools);
  }

  async get(id: number): Promise<PoolWithUsage> {
    const pool = await this.dataSource.getRepository(IpPool).findOneBy({ id });
    if (!pool) throw new NotFoundError(`IP pool ${String(id)}`);
    const [withUsage] = await this.withUsage(this.dataSource.manager, [pool]);
    if (!withUsage) throw new NotFoundError(`IP pool ${String(id)}`);
    return withUsage;
  }

  /** Creates a pool; 400 naming each bad field, overlap with another pool included. */
  async create(definition: PoolDefinition): Promise<PoolWithUsage> {
    return this.dataSource.transaction(async (manager) => {
      await lockPoolDefinitions(manager);
      const pool = checkedPool(definition, await manager.find(IpPool));
      const saved = await manager.save(manager.create(IpPool, columns(pool)));
      await this.adoptAddresses(manager, saved);
      const [withUsage] = await this.withUsage(manager, [saved]);
      return withUsage ?? { pool: saved, capacity: rangeCapacity(pool), allocated: 0, free: 0 };
    });
  }

  /**
   * Changes a pool. Its addresses in use must stay inside the new network and must not become its gateway; a
   * pool holding addresses keeps its bridge.
   */
  async update(id: number, definition: PoolDefinition): Promise<PoolWithUsage> {
    return this.dataSource.transaction(async (manager) => {
      await lockPoolDefinitions(manager);
      const pool = await this.lockedPool(manager, id);
      const others = (await manager.find(IpPool)).filter((other) => other.id !== id);
      const next = checkedPool(definition, others);
      const held = await manager.find(IpAllocation, { where: { poolId: id } });
      const problems: Record<string, string> = {};
      const outside = held.filter(
        (allocation) => !contains(next.network, parseIpv4(allocation.address) ?? -1),
      );
      if (outside.length > 0)
        problems.cidr = `must still hold the addresses in use: ${outside
          .map((a) => a.address)
          .sort(byAddress)
          .join(', ')}`;
      const gatewayHolder = held.find((allocation) => allocation.address === formatIpv4(next.gateway));
      if (gatewayHolder) problems.gateway = `is in use by ${gatewayHolder.owner}`;
      if (held.length > 0 && next.bridge !== pool.bridge)
        problems.bridge = `must stay ${pool.bridge} while the pool holds addresses (${String(held.length)} in use)`;
      if (Object.keys(problems).length > 0) throw new ValidationFailedError(problems);
      const saved = await manager.save(Object.assign(pool, columns(next)));
      const [withUsage] = await this.withUsage(manager, [saved]);
      if (!withUsage) throw new NotFoundError(`IP pool ${String(id)}`);
      return withUsage;
    });
  }

  /** Deletes a pool that holds no address; one that does is a 409 listing how many. */
  async delete(id: number): Promise<IpPool> {
    return this.dataSource.transaction(async (manager) => {
      await lockPoolDefinitions(manager);
      const pool = await this.lockedPool(manager, id);
      const held = await manager.count(IpAllocation, { where: { poolId: id } });
      if (held > 0)
        throw new ConflictError(
          `IP pool ${String(id)} (${pool.cidr} on ${pool.bridge}) has ${String(held)} addresses allocated: release them first`,
          { allocations: held },
        );
      await manager.delete(IpPool, { id });
      return pool;
    });
  }

  /**
   * Addresses given in a subnet no pool covered, which the new pool covers, become the pool's: they count in
   * its usage and keep it from being deleted while they are held.
   */
  private async adoptAddresses(manager: EntityManager, pool: IpPool): Promise<void> {
    await manager.query(
      `UPDATE ip_allocations SET pool_id = $1 WHERE pool_id IS NULL AND address::inet << $2::cidr`,
      [pool.id, pool.cidr],
    );
  }

  /** The pool row, locked against concurrent allocation until the transaction ends. */
  private async lockedPool(manager: EntityManager, id: number): Promise<IpPool> {
    const pool = await manager
      .createQueryBuilder(IpPool, 'p')
      .where('p.id = :id', { id })
      .setLock('pessimistic_write')
      .getOne();
    if (!pool) throw new NotFoundError(`IP pool ${String(id)}`);
    return pool;
  }

  private async withUsage(manager: EntityManager, pools: IpPool[]): Promise<PoolWithUsage[]> {
    if (pools.length === 0) return [];
    const rows: UsageRow[] = await manager.query(
      `SELECT a.pool_id,
              count(*) AS allocated,
              count(*) FILTER (WHERE a.address::inet BETWEEN p.range_start::inet AND p.range_end::inet) AS in_range
         FROM ip_allocations a JOIN ip_pools p ON p.id = a.pool_id
        WHERE a.pool_id = ANY($1::int[])
        GROUP BY a.pool_id`,
      [pools.map((pool) => pool.id)],
    );
    const usage = new Map(rows.map((row) => [row.pool_id, row]));
    return pools.map((pool) => {
      const capacity = rangeCapacity({
        gateway: parseIpv4(pool.gateway) ?? 0,
        rangeStart: parseIpv4(pool.rangeStart) ?? 0,
        rangeEnd: parseIpv4(pool.rangeEnd) ?? 0,
      });
      const row = usage.get(pool.id);
      const inRange = Number(row?.in_range ?? 0);
      return {
        pool,
        capacity,
        allocated: Number(row?.allocated ?? 0),
        free: Math.max(0, capacity - inRange),
      };
    });
  }
}

function checkedPool(definition: PoolDefinition, others: IpPool[]): CheckedPool {
  const outcome = checkPoolDefinition(definition, others);
  if ('problems' in outcome) throw new ValidationFailedError(outcome.problems);
  return outcome.pool;
}

function columns(pool: CheckedPool): Partial<IpPool> {
  return {
    bridge: pool.bridge,
    cidr: formatCidr(pool.network),
    gateway: formatIpv4(pool.gateway),
    rangeStart: formatIpv4(pool.rangeStart),
    rangeEnd: formatIpv4(pool.rangeEnd),
    dns: pool.dns,
  };
}
