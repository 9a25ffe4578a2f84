/**
 * Firewall: cluster security groups and their rules, the cluster's own rules and options, aliases and IP sets,
 * VM rules and options (pve-firewall API2/Firewall/*). New rules go to position 0 and are disabled unless
 * `enable=1`; `moveto` moves only; `rename` = old name.
 */
import { createHash } from 'node:crypto';
import { isIpv4, preferredMacroName, type PveParamValue } from '@proxdeck/pve-client';
import { num, str, type RequestContext, type RouteTable, type SimServices } from '../context';
import { paramError, pveDie } from '../http-error';
import type {
  SimFirewallAlias,
  SimFirewallGroup,
  SimFirewallIpset,
  SimFirewallRule,
  SimVm,
} from '../state/model';

type RuleScope = 'group' | 'vm' | 'cluster';

const RULE_FIELDS = [
  'type',
  'action',
  'enable',
  'macro',
  'proto',
  'dport',
  'sport',
  'source',
  'dest',
  'iface',
  'log',
  'icmp-type',
  'comment',
] as const;
const PORTLESS_PROTOCOLS = new Set([
  'icmp',
  'ipv6-icmp',
  'icmpv6',
  'esp',
  'ah',
  'gre',
  'igmp',
  'vrrp',
  'ospf',
  'pim',
]);

function digestOf(value: unknown): string {
  return createHash('sha1').update(JSON.stringify(value)).digest('hex');
}

function clusterDigest(sim: SimServices): string {
  return digestOf(sim.state.data.firewallGroups);
}

function checkDigest(given: PveParamValue | undefined, actual: string): void {
  if (given !== undefined && String(given) !== actual)
    throw pveDie('detected modified configuration - file changed by other user? Try again.');
}

function ipversion(rule: SimFirewallRule): number | undefined {
  const addr = rule.source ?? rule.dest;
  if (addr === undefined || /^[+a-z]/i.test(addr)) return undefined;
  return addr.includes(':') ? 6 : 4;
}

function renderRules(rules: SimFirewallRule[], digest: string): Record<string, unknown>[] {
  return rules.map((rule, pos) => renderRule(rule, pos, digest));
}

function renderRule(rule: SimFirewallRule, pos: number, digest: string): Record<string, unknown> {
  const out: Record<string, unknown> = { pos };
  for (const field of RULE_FIELDS) if (rule[field] !== undefined) out[field] = rule[field];
  out.enable ??= 0;
  const v = ipversion(rule);
  if (v !== undefined) out.ipversion = v;
  out.digest = digest;
  return out;
}

/** verify_rule: the second validation layer, after the schema formats. */
function ruleFromParams(
  sim: SimServices,
  params: Record<string, PveParamValue>,
  scope: RuleScope,
  base?: SimFirewallRule,
): SimFirewallRule {
  const rule: SimFirewallRule = base ? { ...base } : { type: 'in', action: 'ACCEPT' };
  for (const field of RULE_FIELDS) {
    const value = params[field];
    if (value === undefined) continue;
    if (field === 'enable') rule.enable = Number(value);
    else if (field === 'type') rule.type = String(value) as SimFirewallRule['type'];
    else rule[field] = String(value);
  }
  for (const field of str(params, 'delete')?.split(/[,;\s]+/) ?? []) {
    if (field !== '' && field !== 'type' && field !== 'action') Reflect.deleteProperty(rule, field);
  }
  const errors: Record<string, string> = {};
  if (rule.type === 'group') {
    if (scope === 'group') errors.type = 'security groups not allowed';
    else if (!/^[A-Za-z][A-Za-z0-9\-_]+$/.test(rule.action))
      errors.action = `invalid security group name '${rule.action}'`;
  } else if (!['ACCEPT', 'DROP', 'REJECT'].includes(rule.action)) {
    errors.action = `value does not match the regex pattern`;
  }
  if (rule.type === 'forward' && rule.action === 'REJECT')
    errors.action = `rule with action 'REJECT' not allowed in forward direction`;
  if ((rule.dport !== undefined || rule.sport !== undefined) && rule.proto === undefined) {
    errors.proto = `missing property - '${rule.dport !== undefined ? 'dport' : 'sport'}' requires this property`;
  }
  if (
    rule.proto !== undefined &&
    PORTLESS_PROTOCOLS.has(rule.proto.toLowerCase()) &&
    (rule.dport !== undefined || rule.sport !== undefined)
  ) {
    errors.proto = `protocol '${rule.proto}' does not support ports`;
  }
  if (scope === 'vm' && rule.iface !== undefined && !/^net\d+$/.test(rule.iface))
    errors.iface = `invalid interface name '${rule.iface}'`;
  if (rule['icmp-type'] !== undefined && rule.dport !== undefined)
    errors['icmp-type'] = `'icmp-type' cannot be specified together with 'dport'`;
  if (rule.macro !== undefined) {
    const preferred = preferredMacroName(rule.macro);
    if (preferred === undefined) errors.macro = `unknown macro '${rule.macro}'`;
    else rule.macro = preferred;
  }
  for (const field of ['source', 'dest'] as const) {
    const problem = unknownReference(sim, rule[field]);
    if (problem !== undefined) errors[field] = problem;
  }
  if (Object.keys(errors).length > 0) throw paramError(errors);
  return rule;
}

/** verify_rule's alias and ipset resolution: a cluster (`dc/`, or unprefixed) name must exist. */
function unknownReference(sim: SimServices, address: string | undefined): string | undefined {
  if (address === undefined) return undefined;
  const ipset = /^\+(?:(dc|guest|sdn)\/)?([A-Za-z][A-Za-z0-9\-_]+)$/.exec(address);
  if (ipset) {
    if (ipset[1] === 'guest' || ipset[1] === 'sdn') return undefined;
    return ipsets(sim).some((set) => set.name === ipset[2]) ? undefined : `no such ipset '${ipset[2] ?? ''}'`;
  }
  const alias = /^(?:(dc|guest)\/)?([A-Za-z][A-Za-z0-9\-_]+)$/.exec(address);
  if (alias) {
    if (alias[1] === 'guest') return undefined;
    const name = (alias[2] ?? '').toLowerCase();
    return aliases(sim).some((a) => a.name.toLowerCase() === name)
      ? undefined
      : `no such alias '${alias[2] ?? ''}'`;
  }
  return undefined;
}

function aliases(sim: SimServices): SimFirewallAlias[] {
  return (sim.state.data.firewallAliases ??= []);
}

function ipsets(sim: SimServices): SimFirewallIpset[] {
  return (sim.state.data.firewallIpsets ??= []);
}

function clusterRules(sim: SimServices): SimFirewallRule[] {
  return (sim.state.data.firewallClusterRules ??= []);
}

function ruleAt(rules: SimFirewallRule[], pos: number): SimFirewallRule {
  const rule = rules[pos];
  if (!rule) throw pveDie(`no rule at position ${pos}`);
  return rule;
}

/** The PUT semantics shared by group and VM rules. */
function updateRule(
  sim: SimServices,
  rules: SimFirewallRule[],
  params: Record<string, PveParamValue>,
  scope: RuleScope,
): void {
  const pos = Number(params.pos);
  const rule = ruleAt(rules, pos);
  const moveto = num(params, 'moveto');
  if (moveto !== undefined) {
    // Take the rule out and insert it before the rule now at `moveto` (last if beyond the end).
    const target = moveto > pos ? moveto - 1 : moveto;
    rules.splice(pos, 1);
    rules.splice(Math.min(target, rules.length), 0, rule);
    return;
  }
  rules[pos] = ruleFromParams(sim, params, scope, rule);
}

function group(sim: SimServices, name: string): SimFirewallGroup {
  const found = sim.state.data.firewallGroups.find((g) => g.group === name);
  if (!found) throw pveDie(`no such security group '${name}'`);
  return found;
}

function vmOf(ctx: RequestContext, write: boolean): SimVm {
  const vm = ctx.sim.state.vm(String(ctx.params.node), Number(ctx.params.vmid));
  ctx.sim.auth.require(ctx.auth, `/vms/${vm.vmid}`, write ? 'VM.Config.Network' : 'VM.Audit');
  return vm;
}

export function registerFirewallRoutes(routes: RouteTable): void {
  routes.set('GET /cluster/firewall/groups', ({ sim }) => {
    const digest = clusterDigest(sim);
    return [...sim.state.data.firewallGroups]
      .sort((a, b) => a.group.localeCompare(b.group))
      .map((g) => ({ group: g.group, ...(g.comment !== undefined ? { comment: g.comment } : {}), digest }));
  });

  routes.set('POST /cluster/firewall/groups', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    checkDigest(params.digest, clusterDigest(sim));
    const name = String(params.group);
    const rename = str(params, 'rename');
    const comment = str(params, 'comment');
    const groups = sim.state.data.firewallGroups;
    if (rename !== undefined) {
      const old = groups.find((g) => g.group === rename);
      if (!old) throw paramError({ group: `Security group '${rename}' does not exist` });
      if (rename !== name) {
        if (groups.some((g) => g.group === name))
          throw paramError({ group: `Security group '${name}' does already exist` });
        old.group = name;
        for (const vm of sim.state.data.vms) {
          for (const rule of vm.firewallRules)
            if (rule.type === 'group' && rule.action === rename) rule.action = name;
        }
      }
      if (comment !== undefined) old.comment = comment;
      return null;
    }
    if (groups.some((g) => g.group === name))
      throw paramError({ group: `Security group '${name}' already exists` });
    groups.push({ group: name, ...(comment !== undefined ? { comment } : {}), rules: [] });
    return null;
  });

  routes.set('DELETE /cluster/firewall/groups/{group}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    const g = group(sim, String(params.group));
    if (g.rules.length > 0) throw pveDie(`Security group '${g.group}' is not empty`);
    sim.state.data.firewallGroups = sim.state.data.firewallGroups.filter((x) => x !== g);
    return null;
  });

  routes.set('GET /cluster/firewall/groups/{group}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Audit');
    const g = group(sim, String(params.group));
    return renderRules(g.rules, digestOf(g.rules));
  });

  routes.set('POST /cluster/firewall/groups/{group}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    const g = group(sim, String(params.group));
    checkDigest(params.digest, digestOf(g.rules));
    g.rules.unshift(ruleFromParams(sim, params, 'group'));
    return null;
  });

  routes.set('GET /cluster/firewall/groups/{group}/{pos}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Audit');
    const g = group(sim, String(params.group));
    const pos = Number(params.pos);
    return renderRule(ruleAt(g.rules, pos), pos, digestOf(g.rules));
  });

  routes.set('PUT /cluster/firewall/groups/{group}/{pos}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    const g = group(sim, String(params.group));
    checkDigest(params.digest, digestOf(g.rules));
    updateRule(sim, g.rules, params, 'group');
    return null;
  });

  routes.set('DELETE /cluster/firewall/groups/{group}/{pos}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    const g = group(sim, String(params.group));
    checkDigest(params.digest, digestOf(g.rules));
    const pos = Number(params.pos);
    ruleAt(g.rules, pos);
    g.rules.splice(pos, 1);
    return null;
  });

  routes.set('GET /nodes/{node}/qemu/{vmid}/firewall/rules', (ctx) => {
    const vm = vmOf(ctx, false);
    return renderRules(vm.firewallRules, digestOf(vm.firewallRules));
  });

  routes.set('POST /nodes/{node}/qemu/{vmid}/firewall/rules', (ctx) => {
    const vm = vmOf(ctx, true);
    checkDigest(ctx.params.digest, digestOf(vm.firewallRules));
    vm.firewallRules.unshift(ruleFromParams(ctx.sim, ctx.params, 'vm'));
    return null;
  });

  routes.set('GET /nodes/{node}/qemu/{vmid}/firewall/rules/{pos}', (ctx) => {
    const vm = vmOf(ctx, false);
    const pos = Number(ctx.params.pos);
    return renderRule(ruleAt(vm.firewallRules, pos), pos, digestOf(vm.firewallRules));
  });

  routes.set('PUT /nodes/{node}/qemu/{vmid}/firewall/rules/{pos}', (ctx) => {
    const vm = vmOf(ctx, true);
    checkDigest(ctx.params.digest, digestOf(vm.firewallRules));
    updateRule(ctx.sim, vm.firewallRules, ctx.params, 'vm');
    return null;
  });

  routes.set('DELETE /nodes/{node}/qemu/{vmid}/firewall/rules/{pos}', (ctx) => {
    const vm = vmOf(ctx, true);
    checkDigest(ctx.params.digest, digestOf(vm.firewallRules));
    const pos = Number(ctx.params.pos);
    ruleAt(vm.firewallRules, pos);
    vm.firewallRules.splice(pos, 1);
    return null;
  });

  routes.set('GET /nodes/{node}/qemu/{vmid}/firewall/options', (ctx) => {
    const vm = vmOf(ctx, false);
    const out: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(vm.firewallOptions)) out[k] = /^\d+$/.test(v) ? Number(v) : v;
    return { ...out, digest: digestOf(vm.firewallOptions) };
  });

  routes.set('PUT /nodes/{node}/qemu/{vmid}/firewall/options', (ctx) => {
    const vm = vmOf(ctx, true);
    checkDigest(ctx.params.digest, digestOf(vm.firewallOptions));
    for (const key of str(ctx.params, 'delete')?.split(/[,;\s]+/) ?? [])
      Reflect.deleteProperty(vm.firewallOptions, key);
    for (const [k, v] of Object.entries(ctx.params)) {
      if (['node', 'vmid', 'digest', 'delete'].includes(k)) continue;
      vm.firewallOptions[k] = String(v);
    }
    return null;
  });

  registerClusterRuleRoutes(routes);
  registerAliasRoutes(routes);
  registerIpsetRoutes(routes);
}

/** The cluster's own rules (cluster.fw `[RULES]`) and options (`[OPTIONS]`). */
function registerClusterRuleRoutes(routes: RouteTable): void {
  routes.set('GET /cluster/firewall/rules', ({ sim, auth }) => {
    sim.auth.require(auth, '/', 'Sys.Audit');
    const rules = clusterRules(sim);
    return renderRules(rules, digestOf(rules));
  });

  routes.set('POST /cluster/firewall/rules', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    const rules = clusterRules(sim);
    checkDigest(params.digest, digestOf(rules));
    rules.unshift(ruleFromParams(sim, params, 'cluster'));
    return null;
  });

  routes.set('GET /cluster/firewall/rules/{pos}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Audit');
    const rules = clusterRules(sim);
    const pos = Number(params.pos);
    return renderRule(ruleAt(rules, pos), pos, digestOf(rules));
  });

  routes.set('PUT /cluster/firewall/rules/{pos}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    const rules = clusterRules(sim);
    checkDigest(params.digest, digestOf(rules));
    updateRule(sim, rules, params, 'cluster');
    return null;
  });

  routes.set('DELETE /cluster/firewall/rules/{pos}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    const rules = clusterRules(sim);
    checkDigest(params.digest, digestOf(rules));
    const pos = Number(params.pos);
    ruleAt(rules, pos);
    rules.splice(pos, 1);
    return null;
  });

  routes.set('GET /cluster/firewall/options', ({ sim, auth }) => {
    sim.auth.require(auth, '/', 'Sys.Audit');
    const options = (sim.state.data.firewallClusterOptions ??= {});
    const out: Record<string, string | number> = {};
    for (const [k, v] of Object.entries(options)) out[k] = /^\d+$/.test(v) ? Number(v) : v;
    return { ...out, digest: digestOf(options) };
  });

  routes.set('PUT /cluster/firewall/options', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    const options = (sim.state.data.firewallClusterOptions ??= {});
    checkDigest(params.digest, digestOf(options));
    for (const key of str(params, 'delete')?.split(/[,;\s]+/) ?? []) Reflect.deleteProperty(options, key);
    for (const [k, v] of Object.entries(params)) {
      if (['digest', 'delete'].includes(k)) continue;
      options[k] = String(v);
    }
    return null;
  });
}

function renderAlias(alias: SimFirewallAlias, digest: string): Record<string, unknown> {
  return {
    name: alias.name,
    cidr: alias.cidr,
    ...(alias.comment !== undefined ? { comment: alias.comment } : {}),
    ipversion: isIpv4(alias.cidr.split('/')[0] ?? '') ? 4 : 6,
    digest,
  };
}

/** Aliases.pm: names are matched lower-cased; the digest covers the whole list. */
function registerAliasRoutes(routes: RouteTable): void {
  const find = (sim: SimServices, name: string): SimFirewallAlias | undefined =>
    aliases(sim).find((a) => a.name.toLowerCase() === name.toLowerCase());
  const listDigest = (sim: SimServices): string => digestOf(aliases(sim));

  routes.set('GET /cluster/firewall/aliases', ({ sim, auth }) => {
    sim.auth.require(auth, '/', 'Sys.Audit');
    const digest = listDigest(sim);
    return [...aliases(sim)]
      .sort((a, b) => a.name.toLowerCase().localeCompare(b.name.toLowerCase()))
      .map((a) => renderAlias(a, digest));
  });

  routes.set('POST /cluster/firewall/aliases', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    const name = String(params.name);
    if (find(sim, name)) throw paramError({ name: `alias '${name}' already exists` });
    const comment = str(params, 'comment');
    aliases(sim).push({ name, cidr: String(params.cidr), ...(comment ? { comment } : {}) });
    return null;
  });

  routes.set('GET /cluster/firewall/aliases/{name}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Audit');
    const alias = find(sim, String(params.name));
    if (!alias) throw paramError({ name: 'no such alias' });
    return renderAlias(alias, listDigest(sim));
  });

  routes.set('PUT /cluster/firewall/aliases/{name}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    checkDigest(params.digest, listDigest(sim));
    const alias = find(sim, String(params.name));
    if (!alias) throw paramError({ name: 'no such alias' });
    const rename = str(params, 'rename');
    if (rename !== undefined && rename.toLowerCase() !== alias.name.toLowerCase() && find(sim, rename))
      throw paramError({ name: `alias '${rename}' already exists` });
    const comment = str(params, 'comment');
    alias.cidr = String(params.cidr);
    if (comment) alias.comment = comment;
    else delete alias.comment;
    if (rename !== undefined) alias.name = rename;
    return null;
  });

  routes.set('DELETE /cluster/firewall/aliases/{name}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    checkDigest(params.digest, listDigest(sim));
    const name = String(params.name).toLowerCase();
    sim.state.data.firewallAliases = aliases(sim).filter((a) => a.name.toLowerCase() !== name);
    return null;
  });
}

/** IPSet.pm: the list digest covers names and comments; each set's digest covers its entries. */
function registerIpsetRoutes(routes: RouteTable): void {
  const listOf = (sim: SimServices): { name: string; comment?: string }[] =>
    [...ipsets(sim)]
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((set) => ({ name: set.name, ...(set.comment !== undefined ? { comment: set.comment } : {}) }));
  const find = (sim: SimServices, name: string): SimFirewallIpset => {
    const set = ipsets(sim).find((s) => s.name === name);
    if (!set) throw pveDie(`no such IPSet '${name}'`);
    return set;
  };
  const renderEntry = (entry: SimFirewallIpset['entries'][number], digest: string) => ({
    cidr: entry.cidr,
    ...(entry.nomatch ? { nomatch: 1 } : {}),
    ...(entry.comment !== undefined ? { comment: entry.comment } : {}),
    digest,
  });

  routes.set('GET /cluster/firewall/ipset', ({ sim, auth }) => {
    sim.auth.require(auth, '/', 'Sys.Audit');
    const list = listOf(sim);
    const digest = digestOf(list);
    return list.map((entry) => ({ ...entry, digest }));
  });

  routes.set('POST /cluster/firewall/ipset', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    const name = String(params.name);
    const rename = str(params, 'rename');
    const comment = str(params, 'comment');
    if (rename !== undefined) {
      checkDigest(params.digest, digestOf(listOf(sim)));
      const old = ipsets(sim).find((s) => s.name === rename);
      if (!old) throw paramError({ name: `IPSet '${rename}' does not exists` });
      if (name !== rename && ipsets(sim).some((s) => s.name === name))
        throw paramError({ name: `IPSet '${name}' does already exist` });
      old.name = name;
      if (comment !== undefined) old.comment = comment;
      return null;
    }
    if (ipsets(sim).some((s) => s.name === name))
      throw paramError({ name: `IPSet '${name}' already exists` });
    ipsets(sim).push({ name, ...(comment !== undefined ? { comment } : {}), entries: [] });
    return null;
  });

  routes.set('DELETE /cluster/firewall/ipset/{name}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    const set = find(sim, String(params.name));
    if (set.entries.length > 0 && Number(params.force ?? 0) !== 1)
      throw pveDie(`IPSet '${set.name}' is not empty`);
    sim.state.data.firewallIpsets = ipsets(sim).filter((s) => s !== set);
    return null;
  });

  routes.set('GET /cluster/firewall/ipset/{name}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Audit');
    const set = find(sim, String(params.name));
    const digest = digestOf(set.entries);
    return set.entries.map((entry) => renderEntry(entry, digest));
  });

  routes.set('POST /cluster/firewall/ipset/{name}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    const set = find(sim, String(params.name));
    const cidr = String(params.cidr);
    if (set.entries.some((entry) => entry.cidr === cidr))
      throw paramError({ cidr: `address '${cidr}' already exists` });
    if (/\/0+$/.test(cidr)) throw paramError({ cidr: 'a zero prefix is not allowed in ipset entries' });
    if (/^[A-Za-z][A-Za-z0-9\-_]+$/.test(cidr) && unknownReference(sim, cidr) !== undefined)
      throw pveDie(`no such alias '${cidr}'`);
    const comment = str(params, 'comment');
    set.entries.unshift({
      cidr,
      ...(Number(params.nomatch ?? 0) === 1 ? { nomatch: true } : {}),
      ...(comment ? { comment } : {}),
    });
    return null;
  });

  routes.set('GET /cluster/firewall/ipset/{name}/{cidr}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Audit');
    const set = find(sim, String(params.name));
    const entry = set.entries.find((e) => e.cidr === String(params.cidr));
    if (!entry) throw paramError({ cidr: 'no such IP/Network' });
    return renderEntry(entry, digestOf(set.entries));
  });

  routes.set('PUT /cluster/firewall/ipset/{name}/{cidr}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    const set = find(sim, String(params.name));
    checkDigest(params.digest, digestOf(set.entries));
    const entry = set.entries.find((e) => e.cidr === String(params.cidr));
    if (!entry) throw paramError({ cidr: 'no such IP/Network' });
    const comment = str(params, 'comment');
    if (Number(params.nomatch ?? 0) === 1) entry.nomatch = true;
    else delete entry.nomatch;
    if (comment !== undefined) entry.comment = comment;
    else delete entry.comment;
    return null;
  });

  routes.set('DELETE /cluster/firewall/ipset/{name}/{cidr}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    const set = find(sim, String(params.name));
    checkDigest(params.digest, digestOf(set.entries));
    set.entries = set.entries.filter((e) => e.cidr !== String(params.cidr));
    return null;
  });
}
