import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { ConflictError, ValidationFailedError } from '../../platform/errors/app-error';
import { IpAllocation } from './ip-allocation.entity';
import { IpPool } from './ip-pool.entity';
import { BRIDGE_NAME } from './ip-pool-rules';
import { formatCidr, formatIpv4, isUsableHost, lowestFree, networkOf, parseCidr, parseIpv4 } from './ipv4';

/** What to allocate: one address for one NIC of one owner. */
export interface IpAllocationRequest {
  /** Who holds the address, e.g. `server:web-01`. With `nic`, the idempotency key of the allocation. */
  owner: string;
  /** The NIC index (0 for net0). */
  nic: number;
  /** The Proxmox bridge the NIC is on: `auto` takes from this bridge's pools. */
  bridge: string;
  /** `"auto"` (the lowest free address of the bridge's pools) or an explicit IPv4 address. */
  address: string;
  /**
   * For an explicit address no pool covers: the subnet it lives in (prefix length and gateway). Ignored when a
   * pool covers the address (the pool's prefix and gateway apply).
   */
  subnet?: { prefix: number; gateway: string };
  /** The request field to name when the address is refused; default `ip_address`. */
  field?: string;
  /** The request field to name when the bridge name is malformed; default `bridge`. */
  bridgeField?: string;
}

/** An address held by one NIC of one owner, with what the guest needs to configure it. */
export interface IpLease {
  address: string;
  prefix: number;
  gateway: string;
  dns: string[];
  bridge: string;
  /** Null when the address is in a subnet no pool covers. */
  poolId: number | null;
  owner: string;
  nic: number;
}

/** Thrown inside a transaction to roll it back after a successful check. */
class CheckOnly extends Error {
  constructor(readonly lease: IpLease) {
    super('check only: rolled back');
  }
}

/**
 * IP address allocation (docs/api.md §3.3), for the server-creation pipeline and cleanup.
 *
 * - `allocate({ owner: 'server:web-01', nic: 0, bridge: 'vmbr0', address: 'auto' })` takes the lowest free
 *   address of the bridge's pools (in pool id order; never the gateway). An explicit address must lie in a pool
 *   of that bridge (anywhere in its network, not the network, broadcast or gateway address), or, outside every
 *   pool, in the `subnet` given. It must be free.
 * - **Idempotent per `(owner, nic)`**: when that NIC already holds an address, the same lease is returned (for
 *   `auto` or the same explicit address), so a retried job step neither leaks nor allocates twice. Asking the
 *   same NIC for a different explicit address, or on another bridge, is a 409.
 * - Concurrent calls never hand out one address twice: `auto` locks the bridge's pool rows (`FOR UPDATE`), and
 *   unique constraints on the address and on `(owner, nic)` are the final guard.
 * - Errors: bad or unavailable addresses are `ValidationFailedError` naming `request.field` (400); an
 *   exhausted pool or a NIC holding another address is `ConflictError` (409).
 * - `release(owner)` frees every address of an owner (deleting a server, cleanup); `check(request)` validates
 *   without allocating (before a job is queued); `list()` shows who holds what.
 */
@Injectable()
export class IpAllocationService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Allocates (or returns the lease the NIC already holds). See the class comment for the rules. */
  async allocate(request: IpAllocationRequest): Promise<IpLease> {
    return this.dataSource.transaction((manager) => this.allocateIn(manager, request));
  }

  /** Whether `allocate(request)` would succeed now, with the lease it would give; throws as allocate does. */
  async check(request: IpAllocationRequest): Promise<IpLease> {
    try {
      await this.dataSource.transaction(async (manager) => {
        throw new CheckOnly(await this.allocateIn(manager, request));
      });
    } catch (outcome) {
      if (outcome instanceof CheckOnly) return outcome.lease;
      throw outcome;
    }
    throw new Error('unreachable: the check transaction always rolls back');
  }

  /**
   * The `count` addresses `auto` would give next on `bridge` (lowest first, pool by pool), other than those in
   * `besides` (addresses a request already names): a preview, nothing is held. Fewer when the pools run out.
   */
  async previewAuto(
    bridge: string,
    count: number,
    besides: ReadonlySet<string> = new Set(),
  ): Promise<string[]> {
    const pools = await this.dataSource
      .getRepository(IpPool)
      .createQueryBuilder('p')
      .where('p.bridge = :bridge', { bridge })
      .orderBy('p.id', 'ASC')
      .getMany();
    const found: string[] = [];
    for (const pool of pools) {
      const taken: { address: string }[] = await this.dataSource.query(
        `SELECT address FROM ip_allocations WHERE address::inet << $1::cidr`,
        [pool.cidr],
      );
      const skip = new Set([...taken.map((allocation) => ipv4(allocation.address)), ipv4(pool.gateway)]);
      for (const address of besides) {
        const value = parseIpv4(address);
        if (value !== null) skip.add(value);
      }
      for (
        let value = ipv4(pool.rangeStart);
        value <= ipv4(pool.rangeEnd) && found.length < count;
        value += 1
      )
        if (!skip.has(value)) found.push(formatIpv4(value));
      if (found.length >= count) break;
    }
    return found;
  }

  /** Frees every address `owner` holds; returns the addresses freed. Safe to call again. */
  async release(owner: string): Promise<string[]> {
    const rows = await this.dataSource
      .createQueryBuilder()
      .delete()
      .from(IpAllocation)
      .where('owner = :owner', { owner })
      .returning(['address'])
      .execute();
    return (rows.raw as { address: string }[]).map((row) => row.address).sort(byAddress);
  }

  /** The leases held, by owner or by pool when given, in address order. */
  async list(filter: { owner?: string; poolId?: number } = {}): Promise<IpLease[]> {
    const query = this.dataSource
      .getRepository(IpAllocation)
      .createQueryBuilder('a')
      .leftJoinAndSelect('a.pool', 'pool')
      .orderBy('a.address::inet', 'ASC');
    if (filter.owner !== undefined) query.andWhere('a.owner = :owner', { owner: filter.owner });
    if (filter.poolId !== undefined) query.andWhere('a.pool_id = :poolId', { poolId: filter.poolId });
    return (await query.getMany()).map((allocation) => toLease(allocation, allocation.pool ?? null));
  }

  /**
   * One try inside a transaction. When the INSERT meets a concurrent allocation (same NIC, or same address),
   * the other one has committed by then: trying again in the same transaction sees it, and answers with it
   * (same NIC) or refuses the address (in use).
   */
  private async allocateIn(
    manager: EntityManager,
    request: IpAllocationRequest,
    afterConflict = false,
  ): Promise<IpLease> {
    const field = request.field ?? 'ip_address';
    if (!BRIDGE_NAME.test(request.bridge))
      throw new ValidationFailedError({
        [request.bridgeField ?? 'bridge']: 'must be a bridge name such as vmbr0',
      });
    if (
      request.owner.length === 0 ||
      request.owner.length > 128 ||
      !Number.isInteger(request.nic) ||
      request.nic < 0
    )
      throw new Error(
        `allocation owner "${request.owner}" NIC ${String(request.nic)}: owner 1-128 characters, NIC ≥ 0`,
      );
    const held = await manager.findOne(IpAllocation, {
      where: { owner: request.owner, nic: request.nic },
      relations: { pool: true },
    });
    if (held) {
      if (held.bridge === request.bridge && (request.address === 'auto' || request.address === held.address))
        return toLease(held, held.pool ?? null);
      throw new ConflictError(
        `${request.owner} NIC ${String(request.nic)} already holds ${held.address} on ${held.bridge}`,
        { owner: request.owner, nic: request.nic, address: held.address },
      );
    }
    const lease =
      request.address === 'auto'
        ? await this.allocateAuto(manager, request)
        : await this.allocateExplicit(manager, request, field);
    if (lease) return lease;
    if (afterConflict)
      throw new Error(`allocation for ${request.owner} NIC ${String(request.nic)} conflicted twice`);
    return this.allocateIn(manager, request, true);
  }

  private async allocateAuto(manager: EntityManager, request: IpAllocationRequest): Promise<IpLease | null> {
    const pools = await manager
      .createQueryBuilder(IpPool, 'p')
      .where('p.bridge = :bridge', { bridge: request.bridge })
      .orderBy('p.id', 'ASC')
      .setLock('pessimistic_write')
      .getMany();
    if (pools.length === 0)
      throw new ValidationFailedError({
        [request.field ?? 'ip_address']: `no IP pool on bridge ${request.bridge}: give an address`,
      });
    for (const pool of pools) {
      // Every address held in the pool's network, also one given before the pool existed (pool_id null).
      const taken: { address: string }[] = await manager.query(
        `SELECT address FROM ip_allocations WHERE address::inet << $1::cidr`,
        [pool.cidr],
      );
      const free = lowestFree(
        ipv4(pool.rangeStart),
        ipv4(pool.rangeEnd),
        new Set(taken.map((allocation) => ipv4(allocation.address))),
        new Set([ipv4(pool.gateway)]),
      );
      if (free !== null) return this.insert(manager, request, formatIpv4(free), pool);
    }
    throw new ConflictError(`The IP pools of bridge ${request.bridge} have no free address`, {
      bridge: request.bridge,
    });
  }

  private async allocateExplicit(
    manager: EntityManager,
    request: IpAllocationRequest,
    field: string,
  ): Promise<IpLease | null> {
    const address = parseIpv4(request.address);
    const refuse = (problem: string): never => {
      throw new ValidationFailedError({ [field]: problem });
    };
    if (address === null) return refuse('must be an IPv4 address or "auto"');

    const covering = await manager
      .createQueryBuilder(IpPool, 'p')
      .where(':address::inet << p.cidr::cidr', { address: request.address })
      .setLock('pessimistic_write')
      .getOne();
    let lease: { prefix: number; gateway: string; pool: IpPool | null };
    if (covering) {
      const network = poolNetwork(covering);
      if (covering.bridge !== request.bridge)
        refuse(
          `belongs to IP pool ${String(covering.id)} on bridge ${covering.bridge}, not ${request.bridge}`,
        );
      if (!isUsableHost(network, address)) refuse(`is not a host address of ${covering.cidr}`);
      if (request.address === covering.gateway) refuse(`is the gateway of ${covering.cidr}`);
      lease = { prefix: network.prefix, gateway: covering.gateway, pool: covering };
    } else {
      if (!request.subnet)
        return refuse('is in no IP pool: give the subnet (prefix) and gateway it belongs to');
      const { prefix, gateway } = request.subnet;
      if (!Number.isInteger(prefix) || prefix < 1 || prefix > 32)
        return refuse('subnet prefix must be 1..32');
      const network = { network: networkOf(address, prefix), prefix };
      if (!isUsableHost(network, address)) refuse(`is not a host address of ${formatCidr(network)}`);
      const gatewayValue = parseIpv4(gateway);
      if (gatewayValue === null || !isUsableHost(network, gatewayValue))
        refuse(`gateway ${gateway} is not a host of ${formatCidr(network)}`);
      if (gatewayValue === address) refuse(`is the gateway of ${formatCidr(network)}`);
      lease = { prefix, gateway, pool: null };
    }
    const holder = await manager.findOne(IpAllocation, { where: { address: request.address } });
    if (holder) refuse(`is already in use (${holder.owner})`);
    return this.insert(manager, request, request.address, lease.pool, lease);
  }

  /** Inserts the allocation; null when a concurrent one took the NIC or the address first. */
  private async insert(
    manager: EntityManager,
    request: IpAllocationRequest,
    address: string,
    pool: IpPool | null,
    subnet?: { prefix: number; gateway: string },
  ): Promise<IpLease | null> {
    const prefix = pool ? poolNetwork(pool).prefix : (subnet?.prefix ?? 32);
    const gateway = pool ? pool.gateway : (subnet?.gateway ?? '');
    // ON CONFLICT DO NOTHING: losing a race is expected, not an error to log.
    const inserted: unknown[] = await manager.query(
      `INSERT INTO ip_allocations (pool_id, address, prefix, gateway, bridge, owner, nic)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id`,
      [pool?.id ?? null, address, prefix, gateway, request.bridge, request.owner, request.nic],
    );
    if (inserted.length === 0) return null;
    return {
      address,
      prefix,
      gateway,
      dns: pool ? [...pool.dns] : [],
      bridge: request.bridge,
      poolId: pool?.id ?? null,
      owner: request.owner,
      nic: request.nic,
    };
  }
}

function toLease(allocation: IpAllocation, pool: IpPool | null): IpLease {
  return {
    address: allocation.address,
    prefix: allocation.prefix,
    gateway: allocation.gateway,
    dns: pool ? [...pool.dns] : [],
    bridge: allocation.bridge,
    poolId: allocation.poolId,
    owner: allocation.owner,
    nic: allocation.nic,
  };
}

/** A stored address (always valid: only checked addresses are stored) as a number. */
function ipv4(text: string): number {
  const value = parseIpv4(text);
  if (value === null) throw new Error(`stored address "${text}" is not IPv4`);
  return value;
}

export function poolNetwork(pool: Pick<IpPool, 'cidr'>): { network: number; prefix: number } {
  const parsed = parseCidr(pool.cidr);
  if ('problem' in parsed) throw new Error(`stored network "${pool.cidr}" ${parsed.problem}`);
  return parsed.network;
}

export function byAddress(a: string, b: string): number {
  return ipv4(a) - ipv4(b);
}
