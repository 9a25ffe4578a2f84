/**
 * IPv4 addresses as unsigned 32-bit numbers, and the CIDR arithmetic IP pools need. Pure functions: no I/O.
 */

const DOTTED_QUAD = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The number of a dotted-quad address (`10.0.0.1`), or null when `text` is not one (no leading zeros). */
export function parseIpv4(text: string): number | null {
  if (!DOTTED_QUAD.test(text)) return null;
  return text.split('.').reduce((value, octet) => value * 256 + Number(octet), 0);
}

export function formatIpv4(value: number): string {
  return [value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255].join('.');
}

/** An IPv4 network: its first address and prefix length. */
export interface Ipv4Network {
  network: number;
  prefix: number;
}

/** Parses `a.b.c.d/p`. `problem` says what is wrong (host bits set, bad prefix, not an address). */
export function parseCidr(text: string): { network: Ipv4Network } | { problem: string } {
  const [address, prefixText, ...rest] = text.split('/');
  if (address === undefined || prefixText === undefined || rest.length > 0 || !/^\d{1,2}$/.test(prefixText))
    return { problem: 'must be a network in CIDR notation, such as 10.0.0.0/24' };
  const value = parseIpv4(address);
  const prefix = Number(prefixText);
  if (value === null || prefix > 32)
    return { problem: 'must be a network in CIDR notation, such as 10.0.0.0/24' };
  const network = networkOf(value, prefix);
  if (network !== value)
    return { problem: `has host bits set: the network is ${formatIpv4(network)}/${String(prefix)}` };
  return { network: { network, prefix } };
}

export function formatCidr(network: Ipv4Network): string {
  return `${formatIpv4(network.network)}/${String(network.prefix)}`;
}

/** The network address of `address` under `prefix`. */
export function networkOf(address: number, prefix: number): number {
  if (prefix === 0) return 0;
  const mask = (0xffffffff << (32 - prefix)) >>> 0;
  return (address & mask) >>> 0;
}

/** How many addresses the network spans, network and broadcast included. */
export function networkSize(network: Ipv4Network): number {
  return 2 ** (32 - network.prefix);
}

export function broadcastOf(network: Ipv4Network): number {
  return network.network + networkSize(network) - 1;
}

export function contains(network: Ipv4Network, address: number): boolean {
  return address >= network.network && address <= broadcastOf(network);
}

/**
 * Whether `address` can be given to a host in `network`: inside it, and (for prefixes up to /30) neither the
 * network nor the broadcast address.
 */
export function isUsableHost(network: Ipv4Network, address: number): boolean {
  if (!contains(network, address)) return false;
  if (network.prefix >= 31) return true;
  return address !== network.network && address !== broadcastOf(network);
}

export function overlaps(a: Ipv4Network, b: Ipv4Network): boolean {
  return a.network <= broadcastOf(b) && b.network <= broadcastOf(a);
}

/**
 * The lowest address of `start..end` that is neither taken nor excluded, or null when none is left.
 * `taken` holds numbers; it is not modified.
 */
export function lowestFree(
  start: number,
  end: number,
  taken: ReadonlySet<number>,
  excluded: ReadonlySet<number> = new Set(),
): number | null {
  for (let candidate = start; candidate <= end; candidate++) {
    if (!taken.has(candidate) && !excluded.has(candidate)) return candidate;
  }
  return null;
}
