import { checkNamedFormat, preferredMacroName, type PveFirewallRule } from '@proxdeck/pve-client';

/** Security group names as Proxmox takes them (docs/api.md §1.5): 2–18 characters. */
export const GROUP_NAME = /^[A-Za-z][A-Za-z0-9\-_]{1,17}$/;
/** Alias and IP set names (Proxmox: the same pattern, up to 64 characters). */
export const SET_NAME = /^[A-Za-z][A-Za-z0-9\-_]{1,63}$/;

export const RULE_DIRECTIONS = ['in', 'out', 'forward'] as const;
export const RULE_ACTIONS = ['ACCEPT', 'DROP', 'REJECT'] as const;
export const LOG_LEVELS = [
  'emerg',
  'alert',
  'crit',
  'err',
  'warning',
  'notice',
  'info',
  'debug',
  'nolog',
] as const;
/** Protocols that have no ports (Proxmox: `protocol 'icmp' does not support ports`). */
const PORTLESS = new Set(['icmp', 'ipv6-icmp', 'icmpv6', 'esp', 'ah', 'gre', 'igmp', 'vrrp', 'ospf', 'pim']);

/** A rule of a security group as the API takes it (docs/api.md §7). */
export interface RuleInput {
  type?: unknown;
  action?: unknown;
  macro?: unknown;
  proto?: unknown;
  dport?: unknown;
  sport?: unknown;
  source?: unknown;
  dest?: unknown;
  iface?: unknown;
  enable?: unknown;
  log?: unknown;
  comment?: unknown;
}

/** A valid rule, in Proxmox's terms: what is sent (with `enable` always explicit). */
export interface ValidRule {
  type: (typeof RULE_DIRECTIONS)[number];
  action: (typeof RULE_ACTIONS)[number];
  macro?: string;
  proto?: string;
  dport?: string;
  sport?: string;
  source?: string;
  dest?: string;
  iface?: string;
  log?: (typeof LOG_LEVELS)[number];
  comment?: string;
  enable: 0 | 1;
}

/** The optional fields of a rule: on an update, those not given are deleted in Proxmox. */
export const OPTIONAL_RULE_FIELDS = [
  'macro',
  'proto',
  'dport',
  'sport',
  'source',
  'dest',
  'iface',
  'log',
  'comment',
] as const;

function text(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value.trim() : undefined;
}

/** A given, non-blank value. */
function present(value: unknown): string | undefined {
  const trimmed = text(value);
  return trimmed === '' ? undefined : trimmed;
}

/**
 * Checks a rule as Proxmox would (its formats, then verify_rule) before anything is sent, with Proxmox's own
 * wording where it has one, plus Proxdeck's one stricter rule: a macro stands for its protocol and ports, so
 * they are not given with it. Returns the rule to send, or one message per field.
 */
export function validateRule(input: RuleInput): { rule: ValidRule } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {};
  const rule: Partial<ValidRule> = {};

  const type = text(input.type);
  if (type === undefined || type === '') errors.type = 'is required: in, out or forward';
  else if (!(RULE_DIRECTIONS as readonly string[]).includes(type))
    errors.type = `must be in, out or forward (not '${type.slice(0, 20)}')`;
  else rule.type = type as ValidRule['type'];

  const action = text(input.action);
  if (action === undefined || action === '') errors.action = 'is required: ACCEPT, DROP or REJECT';
  else if (!(RULE_ACTIONS as readonly string[]).includes(action))
    errors.action = `must be ACCEPT, DROP or REJECT (not '${action.slice(0, 20)}')`;
  else if (type === 'forward' && action === 'REJECT')
    errors.action = "rule with action 'REJECT' not allowed in forward direction";
  else rule.action = action as ValidRule['action'];

  for (const field of OPTIONAL_RULE_FIELDS) {
    const raw = input[field];
    if (raw !== undefined && raw !== null && typeof raw !== 'string') errors[field] = 'must be a string';
  }

  const macro = present(input.macro);
  if (macro !== undefined) {
    const preferred = preferredMacroName(macro);
    if (preferred === undefined) errors.macro = `unknown macro '${macro.slice(0, 40)}'`;
    else rule.macro = preferred;
  }

  const proto = present(input.proto);
  const dport = present(input.dport);
  const sport = present(input.sport);
  if (macro !== undefined) {
    if (proto !== undefined) errors.proto = 'cannot be given with a macro (the macro sets the protocol)';
    if (dport !== undefined) errors.dport = 'cannot be given with a macro (the macro sets the ports)';
    if (sport !== undefined) errors.sport = 'cannot be given with a macro (the macro sets the ports)';
  } else {
    if (proto !== undefined) {
      const problem = checkNamedFormat('pve-fw-protocol-spec', proto);
      if (problem !== undefined) errors.proto = problem;
      else rule.proto = proto.toLowerCase();
    }
    for (const [field, value] of [
      ['dport', dport],
      ['sport', sport],
    ] as const) {
      if (value === undefined) continue;
      const problem = checkNamedFormat('pve-fw-dport-spec', value.replace(/\s+/g, ''));
      if (problem !== undefined) errors[field] = problem;
      else if (proto === undefined) errors.proto = `missing property - '${field}' requires this property`;
      else if (PORTLESS.has(proto.toLowerCase())) errors.proto = `protocol '${proto}' does not support ports`;
      else rule[field] = value.replace(/\s+/g, '');
    }
  }

  for (const field of ['source', 'dest'] as const) {
    const value = present(input[field]);
    if (value === undefined) continue;
    const problem =
      value.length > 512 ? 'must be at most 512 characters' : checkNamedFormat('pve-fw-addr-spec', value);
    if (problem !== undefined) errors[field] = problem;
    else rule[field] = value;
  }

  const iface = present(input.iface);
  if (iface !== undefined) {
    const problem = checkNamedFormat('pve-iface', iface);
    if (problem !== undefined) errors.iface = problem;
    else rule.iface = iface;
  }

  const log = present(input.log);
  if (log !== undefined) {
    if (!(LOG_LEVELS as readonly string[]).includes(log))
      errors.log = `must be one of ${LOG_LEVELS.join(', ')}`;
    else rule.log = log as ValidRule['log'];
  }

  const comment = present(input.comment);
  if (comment !== undefined) {
    if (comment.length > 256) errors.comment = 'must be at most 256 characters';
    else if (/[\u0000-\u001f\u007f]/.test(comment)) errors.comment = 'must be one line of text';
    else rule.comment = comment;
  }

  if (input.enable !== undefined && typeof input.enable !== 'boolean')
    errors.enable = 'must be true or false';
  // Proxmox's default is disabled: Proxdeck's is enabled, always sent explicitly.
  rule.enable = input.enable === false ? 0 : 1;

  if (Object.keys(errors).length > 0) return { errors };
  return { rule: rule as ValidRule };
}

/** A rule as the API answers it (docs/api.md §7). */
export interface RuleView {
  pos: number;
  type: string;
  action: string;
  macro?: string;
  proto?: string;
  dport?: string;
  sport?: string;
  source?: string;
  dest?: string;
  iface?: string;
  log?: string;
  comment?: string;
  enable: boolean;
}

export function ruleView(rule: PveFirewallRule): RuleView {
  const view: RuleView = {
    pos: rule.pos,
    type: rule.type,
    action: rule.action,
    enable: (rule.enable ?? 0) === 1,
  };
  for (const field of OPTIONAL_RULE_FIELDS) {
    const value = rule[field];
    if (value !== undefined && value !== '') view[field] = value;
  }
  return view;
}

/** Names of aliases (`name`, `dc/name`) and IP sets (`+name`, `+dc/name`) a rule's addresses refer to. */
export function addressReferences(rule: Pick<PveFirewallRule, 'source' | 'dest'>): {
  aliases: string[];
  ipsets: string[];
} {
  const aliases: string[] = [];
  const ipsets: string[] = [];
  for (const address of [rule.source, rule.dest]) {
    if (!address) continue;
    const set = /^\+(?:dc\/)?([A-Za-z][A-Za-z0-9\-_]+)$/.exec(address);
    if (set?.[1]) ipsets.push(set[1]);
    const alias = /^(?:dc\/)?([A-Za-z][A-Za-z0-9\-_]+)$/.exec(address);
    if (alias?.[1]) aliases.push(alias[1].toLowerCase());
  }
  return { aliases, ipsets };
}
