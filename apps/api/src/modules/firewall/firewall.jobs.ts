import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { PveVmResource } from '@proxdeck/pve-client';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import { isVmGone } from '../../platform/proxmox/pve-failure';
import type { JobContext, JobResult } from '../../platform/queue/job-context';
import { JobHandler } from '../../platform/queue/job-handler.decorator';
import { ServerSync } from '../servers';
import { FirewallAnnouncer } from './firewall-announcer';
import { FirewallRepository } from './firewall.repository';
import { copyableRule, emptyGroup } from './firewall.service';
import { ServerFirewall } from './server-firewall';

/**
 * The firewall's tasks: a bulk assignment (an item per server) and a group rename, which Proxdeck does as
 * steps that can be resumed: create the new group, copy the rules, move every VM's reference, delete the old
 * one. Also hooks the drift check onto the server sync.
 */
@Injectable()
export class FirewallJobs implements OnModuleInit {
  constructor(
    private readonly proxmox: ProxmoxConnection,
    private readonly repository: FirewallRepository,
    private readonly servers: ServerFirewall,
    private readonly sync: ServerSync,
    private readonly announcer: FirewallAnnouncer,
  ) {}

  onModuleInit(): void {
    this.sync.afterCycle(async () => {
      const checked = await this.servers.checkDrift();
      if (checked?.changed) await this.announcer.changed('drift', null);
    });
  }

  @JobHandler('firewall.assign')
  async assign(context: JobContext<'firewall.assign'>): Promise<JobResult> {
    const group = context.payload.group;
    await context.forEachItem(
      async (item) => {
        await item.step(group === null ? 'remove' : 'apply', async () => {
          const state =
            group === null
              ? await this.servers.remove(item.name)
              : await this.servers.apply(item.name, group);
          return state.firewall_group;
        });
      },
      { concurrency: 4 },
    );
    const servers = context.payload.servers;
    await this.announcer.changed(
      'servers',
      servers.length === 1 ? (servers[0] ?? null) : null,
      context.createdBy,
    );
    return { group, servers: [...servers] };
  }

  @JobHandler('firewall.rename')
  async rename(context: JobContext<'firewall.rename'>): Promise<JobResult> {
    const { from, to, comment } = context.payload;
    const pve = this.proxmox.pve();
    await context.progress(5, `Creating ${to}`);
    await context.step('create', async () => {
      const groups = await pve.firewallGroups();
      const old = groups.find((group) => group.group === from);
      if (!groups.some((group) => group.group === to)) {
        const text = comment ?? old?.comment;
        await pve.createFirewallGroup(to, text);
      }
      return to;
    });
    await context.progress(20, `Copying the rules of ${from}`);
    const copied = await context.step('copy-rules', async () => {
      // The new group is this task's own: a try that stopped halfway is started over.
      await emptyGroup(pve, to);
      const rules = await pve.firewallGroupRules(from);
      for (const rule of [...rules].reverse()) await pve.createFirewallGroupRule(to, copyableRule(rule));
      return rules.length;
    });
    await context.progress(45, 'Moving the references of every VM');
    const moved = await context.step('move-references', async () => {
      const vms = (await pve.clusterResources('vm')).filter(
        (vm): vm is PveVmResource => vm.type === 'qemu' && vm.template !== 1,
      );
      const changed: number[] = [];
      for (const vm of vms) {
        let rules;
        try {
          rules = await pve.vmFirewallRules(vm.node, vm.vmid);
        } catch (error) {
          if (isVmGone(error)) continue;
          throw error;
        }
        for (const rule of rules.filter(
          (candidate) => candidate.type === 'group' && candidate.action === from,
        )) {
          await pve.updateVmFirewallRule(vm.node, vm.vmid, rule.pos, { action: to, digest: rule.digest });
          changed.push(vm.vmid);
        }
      }
      await this.repository.renameGroup(from, to);
      return changed;
    });
    await context.progress(80, `Deleting ${from}`);
    await context.step('delete-old', async () => {
      if ((await pve.firewallGroups()).some((group) => group.group === from)) {
        await emptyGroup(pve, from);
        await pve.deleteFirewallGroup(from);
      }
      return from;
    });
    await this.announcer.changed('groups', to, context.createdBy);
    return { from, to, rules: copied, vms: moved };
  }
}
