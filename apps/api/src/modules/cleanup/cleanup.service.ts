import { Injectable } from '@nestjs/common';
import type { PveVmResource } from '@proxdeck/pve-client';
import type { Principal } from '../../platform/access/principal';
import { AppConfig } from '../../platform/config/app-config';
import { ConflictError, NotFoundError } from '../../platform/errors/app-error';
import { TaskAccepted } from '../../platform/http/envelope';
import { pveFailure } from '../../platform/proxmox/pve-failure';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import { JobQueue } from '../../platform/queue/job-queue';
import { IpAllocationService } from '../ip-pools';
import { ipOwner, parseTags, ServersRepository, type Server } from '../servers';
import type { CleanupCandidateDto, CleanupStatusDto } from './cleanup.dto';

/** The tag every VM Proxdeck makes carries: what cleanup may destroy without a record. */
export const PROXDECK_TAG = 'proxdeck';

/** A VM in the resource list that Proxdeck made (tagged) and no server stands for. */
function isOrphan(vm: PveVmResource, managed: ReadonlySet<number>): boolean {
  return vm.template !== 1 && !managed.has(vm.vmid) && parseTags(vm.tags).includes(PROXDECK_TAG);
}

/** Why a server needs cleaning, or nothing when it does not. */
export function cleanupReasons(
  server: Pick<Server, 'status' | 'origin' | 'updatedAt'> | null,
  vm: Pick<PveVmResource, 'tags'> | null,
  stuckBefore: Date,
): string[] {
  if (!server)
    return vm && parseTags(vm.tags).includes(PROXDECK_TAG) ? ['a VM Proxdeck made has no server record'] : [];
  const reasons: string[] = [];
  if (server.status === 'failed') reasons.push('its creation failed');
  if (server.status === 'missing') reasons.push('its VM is gone from Proxmox');
  if (server.status === 'creating' && server.updatedAt < stuckBefore)
    reasons.push('it has been creating for too long');
  return reasons;
}

/**
 * Cleanup (docs/api.md §12): what is left of servers whose creation failed or stalled, of servers whose VM is
 * gone, and of VMs Proxdeck made that have no record. Cleaning is a task (cleanup.jobs.ts); this reads and
 * queues.
 */
@Injectable()
export class CleanupService {
  constructor(
    private readonly servers: ServersRepository,
    private readonly proxmox: ProxmoxConnection,
    private readonly ips: IpAllocationService,
    private readonly jobs: JobQueue,
    private readonly config: AppConfig,
  ) {}

  stuckBefore(): Date {
    return new Date(Date.now() - this.config.values.CLEANUP_CREATING_AFTER_MIN * 60_000);
  }

  async status(name: string): Promise<CleanupStatusDto> {
    const [server, vms] = await Promise.all([this.servers.findByName(name), this.vms()]);
    const vm =
      (server?.vmid != null ? vms.find((candidate) => candidate.vmid === server.vmid) : undefined) ??
      (server ? undefined : vms.find((candidate) => candidate.name === name));
    if (!server && !vm) throw new NotFoundError(`Server ${name}`);
    const reserved = await this.ips.list({ owner: ipOwner(name) });
    const reasons = cleanupReasons(server, vm ?? null, this.stuckBefore());
    return {
      server_name: name,
      db: { exists: server !== null, status: server?.status ?? null, origin: server?.origin ?? null },
      pve: {
        exists: vm !== undefined,
        vmid: vm?.vmid ?? null,
        node: vm?.node ?? null,
        status: vm?.status ?? null,
        lock: vm?.lock ?? null,
        tagged: vm ? parseTags(vm.tags).includes(PROXDECK_TAG) : false,
      },
      ips_reserved: reserved.map((lease) => lease.address),
      needs_cleanup: reasons.length > 0,
      reasons,
    };
  }

  /** Failed servers, servers creating for too long, missing ones, and VMs tagged proxdeck with no record. */
  async candidates(): Promise<CleanupCandidateDto[]> {
    const [rows, vms, managed] = await Promise.all([
      this.servers.cleanupCandidates(this.stuckBefore()),
      this.vms(),
      this.servers.vmids(),
    ]);
    const candidates: CleanupCandidateDto[] = rows.map((server) => ({
      server_name: server.name,
      kind:
        server.status === 'creating' ? 'stuck_creating' : server.status === 'missing' ? 'missing' : 'failed',
      vmid: server.vmid,
      node: server.node,
      error: server.error,
      since: server.updatedAt.toISOString(),
    }));
    for (const vm of vms.filter((candidate) => isOrphan(candidate, managed)))
      candidates.push({
        server_name: vm.name ?? `vm-${String(vm.vmid)}`,
        kind: 'orphan_vm',
        vmid: vm.vmid,
        node: vm.node,
        error: null,
        since: null,
      });
    return candidates;
  }

  /** Queues the cleaning of servers (each checked now: a healthy server is a 409 naming it). */
  async clean(principal: Principal, names: readonly string[]): Promise<TaskAccepted> {
    const unique = [...new Set(names)];
    for (const name of unique) {
      const status = await this.status(name);
      if (!status.needs_cleanup)
        throw new ConflictError(`Server ${name} needs no cleanup (status ${status.db.status ?? 'none'})`, {
          server: name,
        });
    }
    const task = await this.jobs.enqueue(
      'servers.cleanup',
      { servers: unique },
      { createdBy: principal.user.id, items: unique },
    );
    return new TaskAccepted(
      task.id,
      `Cleanup of ${unique.length === 1 ? (unique[0] ?? '') : `${String(unique.length)} servers`} queued`,
    );
  }

  /**
   * The VMs of the cluster. Proxmox's resource list comes from a stats cache that names a VM only some seconds
   * after it appears: a nameless VM tagged proxdeck (a possible orphan, looked for by name) is named from its
   * config.
   */
  async vms(): Promise<PveVmResource[]> {
    const pve = this.proxmox.pve();
    try {
      const vms = (await pve.clusterResources('vm')).filter((r): r is PveVmResource => r.type === 'qemu');
      return await Promise.all(
        vms.map(async (vm) => {
          if (vm.name !== undefined || !parseTags(vm.tags).includes(PROXDECK_TAG)) return vm;
          const config = await pve.vmConfig(vm.node, vm.vmid).catch(() => null);
          return typeof config?.name === 'string' ? { ...vm, name: config.name } : vm;
        }),
      );
    } catch (error) {
      throw pveFailure(error);
    }
  }
}
