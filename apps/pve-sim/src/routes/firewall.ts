/**
 * Firewall: cluster security groups and their rules, VM rules and options (pve-firewall API2/Firewall/*).
 * New rules go to position 0 and are disabled unless `enable=1`; `moveto` moves only; `rename` = old name.
 */
import { createHash } from 'node:crypto';
import type { PveParamValue } from '@proxdeck/pve-client';
import { num, str, type RequestContext, type RouteTable, type SimServices } from '../context';
import { paramError, pveDie } from '../http-error';
import type { SimFirewallGroup, SimFirewallRule, SimVm } from '../state/model';

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
  params: Record<string, PveParamValue>,
  scope: 'group' | 'vm',
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
  if (Object.keys(errors).length > 0) throw paramError(errors);
  return rule;
}

function ruleAt(rules: SimFirewallRule[], pos: number): SimFirewallRule {
  const rule = rules[pos];
  if (!rule) throw pveDie(`no rule at position ${pos}`);
  return rule;
}

/** The PUT semantics shared by group and VM rules. */
function updateRule(
  rules: SimFirewallRule[],
  params: Record<string, PveParamValue>,
  scope: 'group' | 'vm',
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
  rules[pos] = ruleFromParams(params, scope, rule);
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
    g.rules.unshift(ruleFromParams(params, 'group'));
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
    updateRule(g.rules, params, 'group');
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
    vm.firewallRules.unshift(ruleFromParams(ctx.params, 'vm'));
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
    updateRule(vm.firewallRules, ctx.params, 'vm');
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
}
