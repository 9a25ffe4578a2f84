import { Injectable, Logger } from '@nestjs/common';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import { SERVER_NAME } from './server-status';
import { ServersRepository } from './servers.repository';
import type { UnmanagedVm } from './sync-plan';
import { disksOf, networksOf } from './vm-config';

/** What became of one unmanaged VM asked to be imported. */
export interface ImportOutcome {
  vmid: number;
  name: string | null;
  imported: boolean;
  /** Why it was not imported. */
  reason: string | null;
  /** Whether its config was read from Proxmox. */
  read_config: boolean;
}

/**
 * Takes VMs Proxdeck does not manage into the inventory (POST /api/sync_servers with import_unmanaged): one
 * config read per VM for its size, disks and addresses. The server is marked `imported`: cleanup never
 * removes what Proxdeck did not make. A VM whose name is not a valid server name, or is taken, is skipped
 * with the reason.
 */
@Injectable()
export class ServerImporter {
  private readonly logger = new Logger(ServerImporter.name);

  constructor(
    private readonly repository: ServersRepository,
    private readonly proxmox: ProxmoxConnection,
  ) {}

  async import(vms: readonly UnmanagedVm[], importedBy: number | null): Promise<ImportOutcome[]> {
    const outcomes: ImportOutcome[] = [];
    for (const vm of vms) outcomes.push(await this.importOne(vm, importedBy));
    return outcomes;
  }

  private async importOne(vm: UnmanagedVm, importedBy: number | null): Promise<ImportOutcome> {
    const skip = (reason: string, readConfig = false): ImportOutcome => ({
      vmid: vm.vmid,
      name: vm.name,
      imported: false,
      reason,
      read_config: readConfig,
    });
    if (vm.name === null || !SERVER_NAME.test(vm.name))
      return skip('its name is not a valid server name (a DNS label)');
    if (await this.repository.nameTaken(vm.name)) return skip('a server of that name exists');
    let config;
    try {
      config = await this.proxmox.pve().vmConfig(vm.node, vm.vmid);
    } catch (error) {
      return skip(
        `its config could not be read: ${error instanceof Error ? error.message : String(error)}`,
        true,
      );
    }
    const networks = networksOf(config);
    const cores = Number(config.cores ?? 1) * Number(config.sockets ?? 1);
    try {
      await this.repository.insert({
        name: vm.name,
        vmid: vm.vmid,
        node: vm.node,
        status: vm.status === 'running' || vm.status === 'stopped' ? vm.status : 'unknown',
        origin: 'imported',
        cpuCores: Number.isFinite(cores) && cores > 0 ? cores : 1,
        memoryMb: Number(config.memory ?? 512),
        disks: disksOf(config),
        networks,
        ipAddresses: networks.flatMap((n) => (n.ip_address ? [n.ip_address] : [])),
        tags: vm.tags,
        description: typeof config.description === 'string' ? config.description : '',
        createdBy: importedBy,
      });
    } catch (error) {
      // A concurrent import or creation took the name or the VMID meanwhile.
      this.logger.warn(
        `Importing VM ${String(vm.vmid)} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      return skip('a server of that name or VMID was created meanwhile', true);
    }
    return { vmid: vm.vmid, name: vm.name, imported: true, reason: null, read_config: true };
  }
}
