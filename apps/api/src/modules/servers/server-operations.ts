import { Injectable } from '@nestjs/common';
import type { ServerActionPayload } from '@proxdeck/contracts';
import { PveApiError, PveTaskFailedError, type PveVmConfig } from '@proxdeck/pve-client';
import { EventsService } from '../../platform/events/events.service';
import { isVmGone } from '../../platform/proxmox/pve-failure';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import { ALREADY_DONE, type ItemContext } from '../../platform/queue/job-context';
import { IpAllocationService } from '../ip-pools';
import { ipOwner } from './creation-plan';
import type { Server } from './server.entity';
import type { ServerStatus } from './server-status';
import { ServersRepository } from './servers.repository';
import { disksOf, memoryMb } from './vm-config';

/** Proxmox's default for a guest to shut down (qm shutdown --timeout). */
export const DEFAULT_SHUTDOWN_TIMEOUT_S = 60;

/** Where a server's VM is now, as Proxmox says; null when Proxmox no longer has it. */
export interface LocatedVm {
  node: string;
  vmid: number;
}

/** Whether the VM of a config is protected from removal (Proxmox's `protection` option). */
export function isProtected(config: PveVmConfig): boolean {
  return String(config.protection ?? '0') === '1';
}

/**
 * A power action or the deletion of one server, as steps of its task item (docs/api.md §3.2). Each follows the
 * Proxmox task to its end and reports Proxmox's own outcome; each is safe to repeat after a crash, since it
 * reads the VM's state before acting ("already running" starts nothing). The outcome, in words, is the
 * item's last step output.
 */
@Injectable()
export class ServerOperations {
  constructor(
    private readonly repository: ServersRepository,
    private readonly proxmox: ProxmoxConnection,
    private readonly ips: IpAllocationService,
    private readonly events: EventsService,
  ) {}

  /** Runs `payload.action` on the item's server; resolves with the outcome in words. */
  async run(item: ItemContext, payload: ServerActionPayload): Promise<string> {
    if (payload.action === 'delete') return this.delete(item);
    const vm = await item.step('locate', async () => {
      const server = await this.server(item.name);
      const located = await this.locate(server);
      if (!located)
        throw new Error(
          `The VM of ${item.name} (VMID ${String(server.vmid)}) is gone from Proxmox: the server is missing`,
        );
      return { node: located.node, vmid: located.vmid };
    });
    const outcome =
      payload.action === 'start'
        ? await this.start(item, vm)
        : payload.action === 'stop'
          ? await this.stop(item, vm, payload)
          : await this.reboot(item, vm, payload);
    await this.settle(item.name, vm, payload.action !== 'stop');
    return outcome;
  }

  private async start(item: ItemContext, vm: LocatedVm): Promise<string> {
    const pve = this.proxmox.pve();
    let outcome = 'started';
    const result = await item.pveTask(
      'start',
      async () => {
        const status = await pve.vmStatus(vm.node, vm.vmid);
        if (status.status === 'running' && status.qmpstatus === 'paused') {
          outcome = 'resumed (it was paused)';
          return pve.resumeVm(vm.node, vm.vmid);
        }
        if (status.status === 'running') return ALREADY_DONE;
        return pve.startVm(vm.node, vm.vmid);
      },
      { resources: { node: vm.node } },
    );
    return item.step('outcome', () => Promise.resolve(result.upid === null ? 'already running' : outcome));
  }

  private async stop(item: ItemContext, vm: LocatedVm, payload: ServerActionPayload): Promise<string> {
    const pve = this.proxmox.pve();
    const timeout = payload.timeout_s ?? DEFAULT_SHUTDOWN_TIMEOUT_S;
    try {
      const result = await item.pveTask(
        'shutdown',
        async () =>
          (await pve.vmStatus(vm.node, vm.vmid)).status === 'stopped'
            ? ALREADY_DONE
            : pve.shutdownVm(vm.node, vm.vmid, { timeout, ...(payload.force ? { forceStop: 1 } : {}) }),
        { resources: { node: vm.node }, log: payload.force },
      );
      const forced = result.log?.some((line) => /terminating now|still running/i.test(line)) ?? false;
      return await item.step('outcome', () =>
        Promise.resolve(
          result.upid === null
            ? 'already stopped'
            : forced
              ? `powered off: the guest did not shut down within ${String(timeout)} s`
              : 'shut down',
        ),
      );
    } catch (error) {
      if (error instanceof PveTaskFailedError && error.exitstatus.includes('got timeout') && !payload.force)
        throw new Error(
          `${item.name} did not shut down within ${String(timeout)} s and keeps running ` +
            `(Proxmox: ${error.exitstatus}); stop it with force to power it off`,
          { cause: error },
        );
      if (error instanceof PveApiError && error.message.includes('is paused'))
        throw new Error(`${item.name} is paused and cannot shut down: resume it, or stop it with force`, {
          cause: error,
        });
      throw error;
    }
  }

  private async reboot(item: ItemContext, vm: LocatedVm, payload: ServerActionPayload): Promise<string> {
    const pve = this.proxmox.pve();
    await item.pveTask(
      payload.force ? 'reset' : 'reboot',
      async () => {
        const status = await pve.vmStatus(vm.node, vm.vmid);
        if (status.status !== 'running')
          throw new Error(`${item.name} is ${status.status}: start it instead of rebooting it`);
        if (payload.force) return pve.resetVm(vm.node, vm.vmid);
        if (status.qmpstatus === 'paused')
          throw new Error(`${item.name} is paused and cannot reboot: resume it, or reboot it with force`);
        return pve.rebootVm(vm.node, vm.vmid, {
          ...(payload.timeout_s !== null ? { timeout: payload.timeout_s } : {}),
        });
      },
      { resources: { node: vm.node } },
    );
    return item.step('outcome', () =>
      Promise.resolve(payload.force ? 'reset (pending changes wait for a reboot)' : 'rebooted'),
    );
  }

  /**
   * Stops and destroys the VM (purging it from backup jobs, HA and replication, with its unreferenced disks),
   * releases the addresses, removes the record (its VMID is free again). A protected VM is refused before
   * anything is done; a VM already gone from Proxmox is only removed from the inventory; a VMID that now holds
   * another VM is left alone.
   */
  private async delete(item: ItemContext): Promise<string> {
    const pve = this.proxmox.pve();
    const vm = await item.step('locate', async () => {
      const server = await this.repository.findByName(item.name);
      if (!server) return null; // removed by an earlier try
      const located = await this.locate(server);
      if (!located) return null;
      const config = await pve.vmConfig(located.node, located.vmid);
      if (config.name !== undefined && config.name !== server.name)
        throw new Error(
          `VMID ${String(located.vmid)} now holds the VM ${String(config.name)}, not ${server.name}: it is left alone`,
        );
      if (isProtected(config))
        throw new Error(
          `${server.name} is protected in Proxmox (protection=1): turn protection off to delete it`,
        );
      await this.repository.setStatus(server.name, 'deleting');
      await this.announce(server.name, 'deleting');
      return { node: located.node, vmid: located.vmid };
    });
    if (vm) {
      try {
        await item.pveTask(
          'stop',
          async () =>
            (await this.statusOrNull(vm)) === 'running' ? pve.stopVm(vm.node, vm.vmid) : ALREADY_DONE,
          { resources: { node: vm.node } },
        );
        await item.pveTask(
          'destroy',
          async () =>
            (await this.statusOrNull(vm)) === null
              ? ALREADY_DONE
              : pve.deleteVm(vm.node, vm.vmid, { purge: 1, 'destroy-unreferenced-disks': 1 }),
          { resources: { node: vm.node } },
        );
      } catch (error) {
        await this.undoDeleting(item.name, vm, error);
        throw error;
      }
    }
    const released = await item.step('release-ips', async () => this.ips.release(ipOwner(item.name)));
    await item.step('remove-record', async () => {
      await this.repository.remove(item.name);
      await this.announce(item.name, 'deleted');
      return true;
    });
    const addresses = released.length > 0 ? `; released ${released.join(', ')}` : '';
    return vm
      ? `destroyed VM ${String(vm.vmid)} on ${vm.node}${addresses}`
      : `removed from the inventory: its VM was already gone from Proxmox${addresses}`;
  }

  /**
   * A deletion that failed in Proxmox leaves the server as its VM is (the sync never changes `deleting`), with
   * the reason; a later deletion tries again.
   */
  private async undoDeleting(name: string, vm: LocatedVm, error: unknown): Promise<void> {
    const now = await this.statusOrNull(vm).catch(() => 'unknown');
    const status: ServerStatus =
      now === null ? 'missing' : now === 'running' ? 'running' : now === 'stopped' ? 'stopped' : 'unknown';
    const reason = error instanceof Error ? error.message : String(error);
    await this.repository.setStatus(name, status, { error: `Deletion failed: ${reason}` });
    await this.announce(name, status);
  }

  /** The server's VM where Proxmox has it now (it may have migrated), or null when Proxmox no longer has it. */
  async locate(server: Pick<Server, 'name' | 'vmid' | 'node'>): Promise<LocatedVm | null> {
    if (server.vmid === null) return null;
    const pve = this.proxmox.pve();
    if (server.node !== null) {
      try {
        await pve.vmStatus(server.node, server.vmid);
        return { node: server.node, vmid: server.vmid };
      } catch (error) {
        if (!isVmGone(error)) throw error;
      }
    }
    const resources = await pve.clusterResources('vm');
    const found = resources.find((resource) => resource.type === 'qemu' && resource.vmid === server.vmid);
    if (!found?.node) return null;
    if (found.node !== server.node) await this.repository.setNode(server.name, found.node);
    return { node: found.node, vmid: server.vmid };
  }

  private async server(name: string): Promise<Server> {
    const server = await this.repository.findByName(name);
    if (!server) throw new Error(`Server ${name} is no longer in the inventory`);
    return server;
  }

  /** The row and the live clients follow the VM at once, without waiting for the next sync. */
  /**
   * The row and the live clients follow the VM at once, without waiting for the next sync; after a (re)start
   * the CPU, memory and disks too, since pending changes apply then.
   */
  private async settle(name: string, vm: LocatedVm, restarted: boolean): Promise<void> {
    const pve = this.proxmox.pve();
    const [status, config] = await Promise.all([
      pve.vmStatus(vm.node, vm.vmid),
      restarted ? pve.vmConfig(vm.node, vm.vmid, { current: 1 }) : null,
    ]);
    const now: ServerStatus =
      status.status === 'running' ? (status.qmpstatus === 'paused' ? 'paused' : 'running') : 'stopped';
    if (config)
      await this.repository.setConfigured(name, {
        cpuCores: Number(config.cores ?? 1) * Number(config.sockets ?? 1),
        memoryMb: memoryMb(config.memory),
        disks: disksOf(config),
      });
    await this.repository.setStatus(name, now, { error: null });
    await this.announce(name, now);
  }

  private async statusOrNull(vm: LocatedVm): Promise<string | null> {
    try {
      return (await this.proxmox.pve().vmStatus(vm.node, vm.vmid)).status;
    } catch (error) {
      if (isVmGone(error)) return null;
      throw error;
    }
  }

  private async announce(name: string, status: string): Promise<void> {
    await this.events.publish('server', { name, status }, { userId: null, broadcast: true });
  }
}
