import { Injectable } from '@nestjs/common';
import { PveApiError, type PveVmResource } from '@proxdeck/pve-client';
import { EventsService } from '../../platform/events/events.service';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import { isVmGone } from '../../platform/proxmox/pve-failure';
import {
  ALREADY_DONE,
  type ItemContext,
  type JobContext,
  type JobResult,
} from '../../platform/queue/job-context';
import { JobHandler } from '../../platform/queue/job-handler.decorator';
import { IpAllocationService } from '../ip-pools';
import { NotificationsService } from '../notifications';
import { ipOwner, parseTags, ServersRepository } from '../servers';
import { CleanupService, cleanupReasons, PROXDECK_TAG } from './cleanup.service';

/**
 * Cleaning servers (docs/api.md §12), one item each, as steps safe to repeat: find what is left; in Proxmox,
 * lift a stale `clone` lock (root only, as Proxmox allows), stop and destroy the VM with its disks — only a VM
 * Proxdeck made (a server it created, or a VM tagged `proxdeck`); release the IPs; remove the record (its VMID
 * is free again); notify whoever asked.
 */
@Injectable()
export class CleanupJobs {
  constructor(
    private readonly cleanup: CleanupService,
    private readonly servers: ServersRepository,
    private readonly proxmox: ProxmoxConnection,
    private readonly ips: IpAllocationService,
    private readonly events: EventsService,
    private readonly notifications: NotificationsService,
  ) {}

  @JobHandler('servers.cleanup')
  async clean(context: JobContext<'servers.cleanup'>): Promise<JobResult> {
    const cleaned: string[] = [];
    await context.forEachItem(
      async (item) => {
        await this.cleanOne(item);
        cleaned.push(item.name);
      },
      { concurrency: 4 },
    );
    if (context.createdBy !== null && cleaned.length > 0)
      await this.notifications.raise({
        type: 'cleanup.done',
        severity: 'success',
        title: `Cleaned up ${cleaned.length === 1 ? (cleaned[0] ?? '') : `${String(cleaned.length)} servers`}`,
        message: `Removed what was left in Proxmox and released the addresses of ${cleaned.join(', ')}`,
        recipientId: context.createdBy,
        taskId: context.taskId,
      });
    return { cleaned };
  }

  private async cleanOne(item: ItemContext): Promise<void> {
    const pve = this.proxmox.pve();
    const name = item.name;
    const found = await item.step('find', async () => {
      const server = await this.servers.findByName(name);
      const vms = await this.cleanup.vms();
      const vm: PveVmResource | undefined =
        server?.vmid != null
          ? vms.find((candidate) => candidate.vmid === server.vmid)
          : server
            ? undefined
            : vms.find(
                (candidate) => candidate.name === name && parseTags(candidate.tags).includes(PROXDECK_TAG),
              );
      const reasons = cleanupReasons(server, vm ?? null, this.cleanup.stuckBefore());
      if (reasons.length === 0)
        throw new Error(`${name} needs no cleanup (status ${server?.status ?? 'none'})`);
      // Only what Proxdeck made is destroyed: a VM it created (by record and name) or one it tagged.
      const ours =
        vm !== undefined &&
        ((server?.origin === 'created' && (vm.name === undefined || vm.name === name)) ||
          parseTags(vm.tags).includes(PROXDECK_TAG));
      if (vm && !ours) throw new Error(`VM ${String(vm.vmid)} was not made by Proxdeck: it is left alone`);
      return vm ? { vmid: vm.vmid, node: vm.node } : null;
    });

    if (found) {
      const { vmid, node } = found;
      await item.step('unlock', async () => {
        const config = await this.configOrNull(node, vmid);
        if (config?.lock === undefined) return null;
        try {
          await pve.updateVmConfig(node, vmid, { delete: 'lock', skiplock: 1 });
        } catch (error) {
          if (error instanceof PveApiError && error.errors.skiplock !== undefined)
            throw new Error(
              `VM ${String(vmid)} is locked (${String(config.lock)}) and only root@pam may unlock it through the API: ` +
                `run "qm unlock ${String(vmid)}" on ${node}, then clean again`,
            );
          throw error;
        }
        return String(config.lock);
      });
      await item.pveTask(
        'stop',
        async () =>
          (await this.statusOrNull(node, vmid)) === 'running' ? pve.stopVm(node, vmid) : ALREADY_DONE,
        { resources: { node } },
      );
      await item.pveTask(
        'destroy',
        async () =>
          (await this.configOrNull(node, vmid)) === null
            ? ALREADY_DONE
            : pve.deleteVm(node, vmid, { purge: 1, 'destroy-unreferenced-disks': 1 }),
        { resources: { node } },
      );
    }
    await item.step('release-ips', async () => this.ips.release(ipOwner(name)));
    await item.step('remove-record', async () => {
      await this.servers.remove(name);
      await this.events.publish('server', { name, status: 'deleted' }, { userId: null, broadcast: true });
      return true;
    });
  }

  private async configOrNull(node: string, vmid: number) {
    try {
      return await this.proxmox.pve().vmConfig(node, vmid);
    } catch (error) {
      if (isVmGone(error)) return null;
      throw error;
    }
  }

  private async statusOrNull(node: string, vmid: number): Promise<string | null> {
    try {
      return (await this.proxmox.pve().vmStatus(node, vmid)).status;
    } catch (error) {
      if (isVmGone(error)) return null;
      throw error;
    }
  }
}
