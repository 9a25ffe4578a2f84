import type { PveClient, PveFirewallRule } from '@proxdeck/pve-client';

/**
 * A VM's security group as Proxdeck keeps it (docs/api.md §7): one `type=group` rule, enabled, at the top of the
 * VM's rules, marked with this comment, and the VM's firewall turned on. Rules others added are never touched.
 * Each write carries the digest of the rules it read, so a concurrent change in Proxmox fails it rather than
 * being overwritten; callers retry by reading again.
 */
export const PROXDECK_RULE_COMMENT = 'proxdeck';

/** Why a VM's firewall no longer holds what Proxdeck attached. */
export type VmFirewallDrift = 'group_missing' | 'group_disabled' | 'firewall_off';

function enabled(rule: Pick<PveFirewallRule, 'enable'>): boolean {
  return (rule.enable ?? 0) === 1;
}

/** The rules Proxdeck attached: marked ones, or (before the mark existed) the group it recorded. */
function isProxdeckRule(rule: PveFirewallRule, recorded: string | null): boolean {
  if (rule.type !== 'group') return false;
  return rule.comment === PROXDECK_RULE_COMMENT || (recorded !== null && rule.action === recorded);
}

/**
 * Attaches `group` to the VM, replacing the group rule Proxdeck attached before (`recorded`), and turns the
 * VM's firewall on. Safe to repeat: an enabled marked rule for the group is kept as it is.
 */
export async function attachVmGroup(
  pve: PveClient,
  vm: { node: string; vmid: number },
  group: string,
  recorded: string | null,
): Promise<void> {
  let rules = await pve.vmFirewallRules(vm.node, vm.vmid);
  const keep = (rule: PveFirewallRule) =>
    rule.action === group && rule.comment === PROXDECK_RULE_COMMENT && enabled(rule);
  // Remove ours, bottom first (positions above stay valid), re-reading for a fresh digest each time.
  for (;;) {
    const stale = [...rules].reverse().find((rule) => isProxdeckRule(rule, recorded) && !keep(rule));
    if (!stale) break;
    await pve.deleteVmFirewallRule(vm.node, vm.vmid, stale.pos, stale.digest);
    rules = await pve.vmFirewallRules(vm.node, vm.vmid);
  }
  if (!rules.some(keep)) {
    await pve.createVmFirewallRule(vm.node, vm.vmid, {
      type: 'group',
      action: group,
      enable: 1,
      comment: PROXDECK_RULE_COMMENT,
      ...(rules[0] ? { digest: rules[0].digest } : {}),
    });
  }
  const options = await pve.vmFirewallOptions(vm.node, vm.vmid);
  if ((options.enable ?? 0) !== 1)
    await pve.updateVmFirewallOptions(vm.node, vm.vmid, { enable: 1, digest: options.digest });
}

/** Removes only the group rules Proxdeck attached; the VM's other rules and its options stay. */
export async function detachVmGroup(
  pve: PveClient,
  vm: { node: string; vmid: number },
  recorded: string | null,
): Promise<number> {
  let removed = 0;
  let rules = await pve.vmFirewallRules(vm.node, vm.vmid);
  for (;;) {
    const ours = [...rules].reverse().find((rule) => isProxdeckRule(rule, recorded));
    if (!ours) return removed;
    await pve.deleteVmFirewallRule(vm.node, vm.vmid, ours.pos, ours.digest);
    removed += 1;
    rules = await pve.vmFirewallRules(vm.node, vm.vmid);
  }
}

/** What keeps the VM from holding `group` as Proxdeck attached it, or null when it does. */
export async function vmGroupDrift(
  pve: PveClient,
  vm: { node: string; vmid: number },
  group: string,
): Promise<VmFirewallDrift | null> {
  const [rules, options] = await Promise.all([
    pve.vmFirewallRules(vm.node, vm.vmid),
    pve.vmFirewallOptions(vm.node, vm.vmid),
  ]);
  const attached = rules.filter((rule) => rule.type === 'group' && rule.action === group);
  if (attached.length === 0) return 'group_missing';
  if (!attached.some(enabled)) return 'group_disabled';
  if ((options.enable ?? 0) !== 1) return 'firewall_off';
  return null;
}
