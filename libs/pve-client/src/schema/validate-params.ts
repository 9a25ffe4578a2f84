/**
 * Parameter validation with PVE's semantics and messages (pve-common JSONSchema.pm):
 * 0/1 booleans in form encoding, unknown parameters rejected, `-list` formats joining repeated keys,
 * and per-parameter error texts that PVE returns in the `errors` map of a 400 answer.
 */
import { findParamSchema, type PveEndpointSchema, type PveParamSchema } from './pve-schema';
import { calendarEventError } from '../calendar-event';

/** A raw parameter as it arrives: a form/query string, repeated keys as an array, or a JSON value. */
export type RawParamValue = string | number | boolean | null | readonly RawParamValue[] | object;

export type PveParamValue = string | number;

export interface ParamValidationResult {
  /** Normalised values: integers and numbers as numbers, booleans as 0/1, everything else as strings. */
  values: Record<string, PveParamValue>;
  errors: Record<string, string>;
}

export const MSG_NOT_IN_SCHEMA =
  'property is not defined in schema and the schema does not allow additional properties';
export const MSG_MISSING = 'property is missing and it is not optional';

export function validateParams(
  endpoint: PveEndpointSchema,
  params: Readonly<Record<string, RawParamValue | undefined>>,
): ParamValidationResult {
  const values: Record<string, PveParamValue> = {};
  const errors: Record<string, string> = {};

  for (const [name, raw] of Object.entries(params)) {
    if (raw === undefined) continue;
    const schema = findParamSchema(endpoint, name);
    if (!schema) {
      if (endpoint.additionalProperties !== 1) errors[name] = MSG_NOT_IN_SCHEMA;
      continue;
    }
    const result = checkValue(schema, raw);
    if (typeof result === 'object') errors[name] = result.error;
    else values[name] = result;
  }

  for (const [name, schema] of Object.entries(endpoint.parameters)) {
    if (name.endsWith('[n]')) continue;
    if (schema.optional !== 1 && !(name in values) && !(name in errors)) errors[name] = MSG_MISSING;
    if (schema.requires && name in values && !(schema.requires in values) && !(schema.requires in errors)) {
      errors[schema.requires] = `missing property - '${name}' requires this property`;
    }
  }
  return { values, errors };
}

interface CheckFailure {
  error: string;
}

function fail(error: string): CheckFailure {
  return { error };
}

function describe(raw: RawParamValue): string {
  if (Array.isArray(raw)) return 'ARRAY';
  if (raw !== null && typeof raw === 'object') return 'HASH';
  return String(raw);
}

/** Checks one value against its schema and returns the normalised value or an error text. */
export function checkValue(schema: PveParamSchema, raw: RawParamValue): PveParamValue | CheckFailure {
  const type = schema.type ?? 'string';
  let value: RawParamValue = raw;

  if (Array.isArray(value)) {
    const isList = typeof schema.format === 'string' && schema.format.endsWith('-list');
    if (!isList) return fail(`type check ('${type}') failed - got ARRAY`);
    value = (value as readonly RawParamValue[]).map((v) => describe(v)).join(',');
  }

  switch (type) {
    case 'boolean': {
      if (value === true || value === 1 || value === '1') return 1;
      if (value === false || value === 0 || value === '0') return 0;
      return fail(`type check ('boolean') failed - got '${describe(value)}'`);
    }
    case 'integer':
    case 'number': {
      const text = describe(value);
      const ok =
        type === 'integer' ? /^[+-]?\d+$/.test(text) : /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text);
      if (!ok || (typeof value === 'object' && value !== null)) {
        return fail(`type check ('${type}') failed - got '${text}'`);
      }
      const n = Number(text);
      if (schema.minimum !== undefined && n < schema.minimum) {
        return fail(`value must have a minimum value of ${schema.minimum}`);
      }
      if (schema.maximum !== undefined && n > schema.maximum) {
        return fail(`value must have a maximum value of ${schema.maximum}`);
      }
      if (schema.enum && !schema.enum.includes(String(n))) return enumFailure(String(n), schema.enum);
      return n;
    }
    case 'array':
    case 'object':
      // Only JSON bodies can carry these; PVE validates their content per endpoint.
      return JSON.stringify(value);
    default: {
      if (typeof value === 'object' && value !== null) return fail(`type check ('string') failed - got HASH`);
      const text = describe(value);
      if (schema.maxLength !== undefined && text.length > schema.maxLength) {
        return fail(`value may only be ${schema.maxLength} characters long`);
      }
      if (schema.minLength !== undefined && text.length < schema.minLength) {
        return fail(`value must be at least ${schema.minLength} characters long`);
      }
      if (schema.enum && !schema.enum.includes(text)) return enumFailure(text, schema.enum);
      if (schema.pattern && !perlPattern(schema.pattern).test(text)) {
        return fail('value does not match the regex pattern');
      }
      if (schema.format !== undefined) {
        const formatError =
          typeof schema.format === 'string'
            ? checkNamedFormat(schema.format, text)
            : checkPropertyString(schema.format, text);
        if (formatError !== undefined) return fail(`invalid format - ${formatError}`);
      }
      return text;
    }
  }
}

function enumFailure(value: string, allowed: readonly string[]): CheckFailure {
  return fail(`value '${value}' does not have a value in the enumeration '${allowed.join(', ')}'`);
}

// ---- property strings (`key=value,key2=value2`, with an optional default key) ---------------------------

export interface ParsedPropertyString {
  values: Record<string, string>;
  error?: string;
}

/** Parses a PVE property string against its format description (`[model=]virtio,bridge=vmbr0`). */
export function parsePropertyString(
  format: Readonly<Record<string, PveParamSchema>>,
  text: string,
): ParsedPropertyString {
  const values: Record<string, string> = {};
  const defaultKey = Object.keys(format).find((k) => format[k]?.default_key === 1);
  for (const part of text.split(',')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    let key: string;
    let value: string;
    if (eq === -1) {
      if (defaultKey === undefined)
        return { values, error: `value without key, but schema does not define a default key` };
      key = defaultKey;
      value = part;
    } else {
      key = part.slice(0, eq);
      value = part.slice(eq + 1);
    }
    const entry = format[key];
    if (entry?.keyAlias !== undefined) {
      // e.g. `virtio=AA:BB:…` means model=virtio, macaddr=AA:BB:…
      values[entry.keyAlias] = key;
      if (entry.alias !== undefined) values[entry.alias] = value;
      continue;
    }
    if (entry?.alias !== undefined) key = entry.alias;
    const schema = format[key];
    if (!schema) {
      return {
        values,
        error: `format error\n${key}: property is not defined in schema and the schema does not allow additional properties`,
      };
    }
    if (key in values)
      return { values, error: `format error\n${key}: duplicate key in comma-separated list property` };
    const checked = checkValue(schema, value);
    if (typeof checked === 'object') return { values, error: `format error\n${key}: ${checked.error}` };
    values[key] = value;
  }
  for (const [key, schema] of Object.entries(format)) {
    if (
      schema.optional !== 1 &&
      schema.alias === undefined &&
      schema.keyAlias === undefined &&
      !(key in values)
    ) {
      if (schema.default_key === 1 && schema.default !== undefined) continue;
      return { values, error: `format error\n${key}: property is missing and it is not optional` };
    }
  }
  return { values };
}

function checkPropertyString(
  format: Readonly<Record<string, PveParamSchema>>,
  text: string,
): string | undefined {
  return parsePropertyString(format, text).error;
}

// ---- named formats ------------------------------------------------------------------------------------

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const IPV6 = /^[0-9a-fA-F:]+(%\w+)?$/;

export function isIpv4(text: string): boolean {
  return IPV4.test(text);
}
export function isIpv6(text: string): boolean {
  return text.includes(':') && IPV6.test(text);
}
function isCidr(text: string): boolean {
  const [ip = '', prefix, extra] = text.split('/');
  if (extra !== undefined) return false;
  if (prefix === undefined) return isIpv4(ip) || isIpv6(ip);
  if (!/^\d+$/.test(prefix)) return false;
  const p = Number(prefix);
  return (isIpv4(ip) && p <= 32) || (isIpv6(ip) && p <= 128);
}

const KNOWN_SERVICES = new Set([
  'ssh',
  'http',
  'https',
  'ftp',
  'smtp',
  'domain',
  'dns',
  'ntp',
  'snmp',
  'telnet',
  'imap',
  'pop3',
  'ldap',
  'mysql',
  'postgresql',
  'rdp',
  'ms-wbt-server',
  'submission',
  'imaps',
  'pop3s',
  'smtps',
  'bgp',
  'syslog',
  'tftp',
  'rsync',
  'ldaps',
  'kerberos',
  'nfs',
  'redis',
]);
const KNOWN_PROTOCOLS = new Set([
  'tcp',
  'udp',
  'icmp',
  'ipv6-icmp',
  'icmpv6',
  'esp',
  'ah',
  'gre',
  'sctp',
  'igmp',
  'ospf',
  'vrrp',
  'udplite',
  'ipv6',
  'ipip',
  'pim',
  'l2tp',
  'all',
  'ip',
]);

function checkPortSpec(text: string): string | undefined {
  let count = 0;
  const items = text.split(',');
  for (const item of items) {
    if (item === '') return 'extraneous commas in list';
    const range = /^([^:]+):([^:]+)$/.exec(item);
    if (range) {
      const [a, b] = [Number(range[1]), Number(range[2])];
      if (!/^\d+$/.test(range[1] ?? '') || !/^\d+$/.test(range[2] ?? '') || a > 65535 || b > 65535) {
        return `invalid port '${item}'`;
      }
      if (a > b)
        return `backwards range '${item}' not allowed, did you mean '${range[2] ?? ''}:${range[1] ?? ''}'?`;
      count += 2;
    } else if (/^\d+$/.test(item)) {
      if (Number(item) > 65535) return `invalid port '${item}'`;
      count += 1;
    } else if (KNOWN_SERVICES.has(item)) {
      count += 1;
    } else {
      return `invalid port '${item}'`;
    }
  }
  if (count > 15) return 'too many entries in port list (> 15 numbers)';
  return undefined;
}

function checkAddressSpec(text: string): string | undefined {
  if (/^\+((dc|guest|sdn)\/)?[A-Za-z][A-Za-z0-9\-_]+$/.test(text)) return undefined;
  if (/^((dc|guest)\/)?[A-Za-z][A-Za-z0-9\-_]+$/.test(text)) return undefined;
  const range = /^([^-,]+)-([^-,]+)$/.exec(text);
  if (range) {
    const [a = '', b = ''] = [range[1], range[2]];
    if ((isIpv4(a) && isIpv4(b)) || (isIpv6(a) && isIpv6(b))) return undefined;
    return `invalid IP address range '${text}'`;
  }
  const parts = text.split(',');
  let family: 4 | 6 | undefined;
  for (const part of parts) {
    if (part.includes('-')) return `you can't use a range in a list`;
    if (!isCidr(part)) return `invalid IP address '${part}'`;
    const f = part.includes(':') ? 6 : 4;
    if (family !== undefined && family !== f) return 'detected mixed ipv4/ipv6 addresses in address list';
    family = f;
  }
  return undefined;
}

const NAMED_FORMATS: Record<string, (text: string) => string | undefined> = {
  'pve-node': (t) =>
    /^[a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?$/.test(t)
      ? undefined
      : `value does not look like a valid node name`,
  'pve-storage-id': (t) =>
    /^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(t) ? undefined : `storage ID '${t}' contains illegal characters`,
  'pve-configid': (t) => (/^[a-z][a-z0-9_-]+$/i.test(t) ? undefined : `invalid configuration ID '${t}'`),
  'pve-configid-list': (t) => {
    for (const id of t.split(/[,;\s]+/).filter((x) => x !== '')) {
      if (!/^[a-z][a-z0-9_-]+$/i.test(id)) return `invalid configuration ID '${id}'`;
    }
    return undefined;
  },
  urlencoded: (t) => (/^[-%a-zA-Z0-9_.!~*'()]*$/.test(t) ? undefined : 'invalid urlencoded string'),
  'dns-name': (t) =>
    /^(([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)\.)*([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)$/.test(t)
      ? undefined
      : `value does not look like a valid DNS name`,
  'pve-tag-list': (t) => {
    for (const tag of t.split(/[;,\s]+/).filter((x) => x !== '')) {
      if (!/^[a-z0-9_][a-z0-9_\-+.]*$/i.test(tag)) return `invalid tag '${tag}'`;
    }
    return undefined;
  },
  'pve-vmid-list': (t) => {
    for (const id of t.split(/[,;\s]+/).filter((x) => x !== '')) {
      if (!/^\d+$/.test(id) || Number(id) < 100) return `value does not look like a valid VM ID`;
    }
    return undefined;
  },
  'disk-size': (t) => (/^\+?\d+(\.\d+)?[KMGT]?$/.test(t) ? undefined : `unable to parse size '${t}'`),
  'pve-fw-dport-spec': checkPortSpec,
  'pve-fw-sport-spec': checkPortSpec,
  'pve-fw-addr-spec': checkAddressSpec,
  'pve-fw-protocol-spec': (t) =>
    KNOWN_PROTOCOLS.has(t.toLowerCase()) || /^\d+$/.test(t) ? undefined : `unknown protocol '${t}'`,
  IPorCIDR: (t) => (isCidr(t) ? undefined : 'value does not look like a valid IP address or CIDR network'),
  IPorCIDRorAlias: (t) =>
    isCidr(t) || /^[A-Za-z][A-Za-z0-9\-_]+$/.test(t)
      ? undefined
      : 'value does not look like a valid IP address or CIDR network',
  'pve-fw-icmp-type-spec': (t) =>
    /^(\d{1,3}(\/\d{1,3})?|[a-z][a-z0-9-]*)$/.test(t) ? undefined : `invalid icmp-type '${t}'`,
  'pve-iface': (t) =>
    /^[a-z][a-z0-9_.-]*\d*$/i.test(t) && t.length <= 20 ? undefined : `invalid network interface name '${t}'`,
  'mac-addr': (t) =>
    /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(t) ? undefined : `value does not look like a valid MAC address`,
  'pve-bridge-id': (t) => (/^[-_.\w\d]+$/.test(t) ? undefined : `invalid bridge ID '${t}'`),
  'pve-poolid': (t) =>
    /^[A-Za-z0-9\-_]+(\/[A-Za-z0-9\-_]+){0,2}$/.test(t) ? undefined : `invalid pool ID '${t}'`,
  CIDR: (t) => (isCidr(t) ? undefined : `value does not look like a valid CIDR network`),
  'address-list': (t) => {
    for (const a of t.split(/[,;\s]+/).filter((x) => x !== '')) {
      if (!isIpv4(a) && !isIpv6(a)) return `value does not look like a valid address: ${a}`;
    }
    return undefined;
  },
  'pve-qm-ipconfig': (t) => {
    for (const part of t.split(',').filter((x) => x !== '')) {
      const [k = '', v = ''] = part.split('=', 2);
      if (k === 'ip' && v !== 'dhcp' && v !== 'manual' && !(isCidr(v) && isIpv4(v.split('/')[0] ?? '')))
        return `invalid IPv4 address '${v}'`;
      else if (k === 'ip6' && !['dhcp', 'auto', 'manual'].includes(v) && !isCidr(v))
        return `invalid IPv6 address '${v}'`;
      else if (k === 'gw' && !isIpv4(v)) return `invalid IPv4 gateway '${v}'`;
      else if (k === 'gw6' && !isIpv6(v)) return `invalid IPv6 gateway '${v}'`;
      else if (!['ip', 'ip6', 'gw', 'gw6'].includes(k))
        return `format error\n${k}: property is not defined in schema and the schema does not allow additional properties`;
    }
    return undefined;
  },
  'pve-calendar-event': (t) => calendarEventError(t),
  'pve-volume-id': (t) =>
    /^[a-z][a-z0-9\-_.]*[a-z0-9]:.+$/i.test(t) ? undefined : `unable to parse volume ID '${t}'`,
};

/** Checks a value against a named PVE format; unknown formats are accepted as PVE's are too many to copy. */
export function checkNamedFormat(format: string, text: string): string | undefined {
  const checker = NAMED_FORMATS[format];
  return checker ? checker(text) : undefined;
}

const compiledPatterns = new Map<string, RegExp>();

/**
 * A schema `pattern` as a JavaScript RegExp anchored on both ends. The dump writes Perl's stringified regexes:
 * `(?^:…)` groups (default flags) and `(?^i:…)` (case-insensitive), which JavaScript lacks: they become plain
 * groups, and an `i` anywhere makes the whole pattern case-insensitive.
 */
export function perlPattern(pattern: string): RegExp {
  let compiled = compiledPatterns.get(pattern);
  if (!compiled) {
    let flags = '';
    const source = pattern.replace(/\(\?\^([a-z]*):/g, (_m, groupFlags: string) => {
      if (groupFlags.includes('i')) flags = 'i';
      return '(?:';
    });
    compiled = new RegExp(`^(?:${source})$`, flags);
    compiledPatterns.set(pattern, compiled);
  }
  return compiled;
}
