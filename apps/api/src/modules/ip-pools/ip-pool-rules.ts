import {
  contains,
  formatCidr,
  formatIpv4,
  isUsableHost,
  overlaps,
  parseCidr,
  parseIpv4,
  type Ipv4Network,
} from './ipv4';

/** Linux interface names, as Proxmox bridges are: a letter first, at most 15 characters. */
export const BRIDGE_NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,14}$/;

/** Pools span /16 to /30: large enough for any VLAN, small enough to search for a free address at once. */
export const MIN_POOL_PREFIX = 16;
export const MAX_POOL_PREFIX = 30;
export const MAX_DNS_SERVERS = 3;

/** A pool as an administrator defines it (docs/api.md §3.3). */
export interface PoolDefinition {
  bridge: string;
  cidr: string;
  gateway: string;
  range_start: string;
  range_end: string;
  dns: string[];
}

/** A definition whose addresses are parsed and checked. */
export interface CheckedPool {
  bridge: string;
  network: Ipv4Network;
  gateway: number;
  rangeStart: number;
  rangeEnd: number;
  dns: string[];
}

/** Another pool, for the overlap check. */
export interface ExistingPool {
  id: number;
  bridge: string;
  cidr: string;
}

/**
 * Checks a pool definition: the bridge name, the network (prefix /16../30, no host bits), the gateway and the
 * range inside it (usable hosts, start ≤ end), the DNS servers, and no overlap with another pool. Returns the
 * parsed pool, or one problem per field.
 */
export function checkPoolDefinition(
  definition: PoolDefinition,
  others: readonly ExistingPool[],
): { pool: CheckedPool } | { problems: Record<string, string> } {
  const problems: Record<string, string> = {};
  if (!BRIDGE_NAME.test(definition.bridge))
    problems.bridge = 'must be a bridge name such as vmbr0 (a letter first, at most 15 characters)';

  const parsed = parseCidr(definition.cidr);
  let network: Ipv4Network | null = null;
  if ('problem' in parsed) problems.cidr = parsed.problem;
  else if (parsed.network.prefix < MIN_POOL_PREFIX || parsed.network.prefix > MAX_POOL_PREFIX)
    problems.cidr = `prefix must be /${String(MIN_POOL_PREFIX)} to /${String(MAX_POOL_PREFIX)}`;
  else network = parsed.network;

  if (network) {
    const clash = others.find((other) => {
      const otherNetwork = parseCidr(other.cidr);
      return 'network' in otherNetwork && overlaps(network, otherNetwork.network);
    });
    if (clash) problems.cidr = `overlaps pool ${String(clash.id)} (${clash.cidr} on ${clash.bridge})`;
  }

  const hostIn = (field: keyof PoolDefinition, text: string): number | null => {
    const value = parseIpv4(text);
    if (value === null) {
      problems[field] = 'must be an IPv4 address such as 10.0.0.1';
      return null;
    }
    if (network && !isUsableHost(network, value)) {
      problems[field] = `must be a host address inside ${formatCidr(network)}`;
      return null;
    }
    return value;
  };
  const gateway = hostIn('gateway', definition.gateway);
  const rangeStart = hostIn('range_start', definition.range_start);
  const rangeEnd = hostIn('range_end', definition.range_end);
  if (rangeStart !== null && rangeEnd !== null && rangeStart > rangeEnd)
    problems.range_end = `must not come before range_start (${formatIpv4(rangeStart)})`;
  if (
    gateway !== null &&
    rangeStart !== null &&
    rangeEnd !== null &&
    rangeStart === rangeEnd &&
    rangeStart === gateway
  )
    problems.range_start = 'the range holds only the gateway';

  if (definition.dns.length > MAX_DNS_SERVERS) problems.dns = `at most ${String(MAX_DNS_SERVERS)} servers`;
  else {
    const bad = definition.dns.find((server) => parseIpv4(server) === null);
    if (bad !== undefined) problems.dns = `"${bad}" is not an IPv4 address`;
  }

  if (
    Object.keys(problems).length > 0 ||
    !network ||
    gateway === null ||
    rangeStart === null ||
    rangeEnd === null
  )
    return { problems };
  return {
    pool: { bridge: definition.bridge, network, gateway, rangeStart, rangeEnd, dns: [...definition.dns] },
  };
}

/** How many addresses of the range `auto` can hand out (the gateway is never one). */
export function rangeCapacity(pool: Pick<CheckedPool, 'gateway' | 'rangeStart' | 'rangeEnd'>): number {
  const span = pool.rangeEnd - pool.rangeStart + 1;
  return pool.gateway >= pool.rangeStart && pool.gateway <= pool.rangeEnd ? span - 1 : span;
}

/** Whether `address` lies in the pool's network. */
export function poolContains(pool: Pick<CheckedPool, 'network'>, address: number): boolean {
  return contains(pool.network, address);
}
