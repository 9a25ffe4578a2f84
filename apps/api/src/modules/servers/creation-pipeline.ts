import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { PveApiError, type PveClient, type PveVmConfig } from '@proxdeck/pve-client';
import { AppConfig } from '../../platform/config/app-config';
import { EventsService } from '../../platform/events/events.service';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import { isVmGone } from '../../platform/proxmox/pve-failure';
import { attachVmGroup } from '../../platform/proxmox/vm-firewall';
import { ALREADY_DONE, type ItemContext } from '../../platform/queue/job-context';
import { PveTaskSteps } from '../../platform/queue/pve-task-steps';
import { IpAllocationService } from '../ip-pools';
import { ipOwner, type PlannedServer } from './creation-plan';
import type { ServerNetwork } from './server.entity';
import { ServerRoles } from './server-roles';
import { ServersRepository } from './servers.repository';
import { VolumeOwners } from './volume-owners';

/** Polling while waiting for Proxmox to finish something it gives no task for (a clone's lock, a boot). */
const POLL_MS = 500;

/** A NIC with the address reserved for it (a step's output: plain JSON). */
type ReservedNic = {
  device: string;
  bridge: string;
  ip_address: string;
  prefix: number;
  gateway: string;
  dns: string[];
};
type Reservation = { vmid: number; networks: ReservedNic[] };

/** A restore of a vzdump archive into a new VM for the server `name` (its row is `creating`). */
export interface RestoreSpec {
  name: string;
  node: string;
  volid: string;
  storage: string | null;
}

/** The task a creation runs in (its role run is kept with it). */
export interface CreationTask {
  taskId: string;
  createdBy: number | null;
}
/** The disk keys Proxmox's resize takes (`scsi0`, `virtio1`, ...). */
type DiskKey = Parameters<PveClient['resizeDisk']>[2]['disk'];

/** Why a server failed, in one line: Proxmox's own text when Proxmox failed. */
export function failureText(error: unknown): string {
  if (error instanceof PveApiError) {
    const fields = Object.entries(error.errors).map(([field, problem]) => `${field}: ${problem}`);
    const where = error.path ? ` to ${error.method} ${error.path}` : '';
    const detail = fields.length > 0 ? `: ${fields.join('; ')}` : '';
    return `${error.message}${detail} (Proxmox answered ${String(error.status)}${where})`;
  }
  return error instanceof Error ? error.message : String(error);
}

/**
 * The creation of one server (docs/api.md §3.3) as steps of its task item, each safe to repeat after a crash:
 * reserve the VMID and IPs → full clone of the template → configure (cores, memory, cloud-init user, password
 * hash, keys, ipconfigN, nameserver, tags, description) → resize and add disks → start → wait until it runs
 * and the guest agent reports its primary address → attach the security group → apply the role → running. A step finished by an
 * earlier try is skipped; a Proxmox task started by one is followed rather than started again; a clone that
 * Proxmox accepted before the crash is found by the VM's name. Proxmox operations hold the governor's node
 * and storage slots; lock errors are retried with backoff. On failure the server is `failed` with Proxmox's
 * text (the task notifies its creator) and keeps what it holds, for a retry or for cleanup.
 */
@Injectable()
export class CreationPipeline {
  private readonly logger = new Logger(CreationPipeline.name);

  constructor(
    private readonly repository: ServersRepository,
    private readonly proxmox: ProxmoxConnection,
    private readonly ips: IpAllocationService,
    private readonly pveSteps: PveTaskSteps,
    private readonly events: EventsService,
    private readonly config: AppConfig,
    private readonly roles: ServerRoles,
    private readonly volumeOwners: VolumeOwners,
  ) {}

  async run(item: ItemContext, plan: PlannedServer, task: CreationTask): Promise<void> {
    await this.announce(plan.name, 'creating', null);
    try {
      await this.create(item, plan, task);
    } catch (error) {
      const text = failureText(error);
      await this.announce(plan.name, 'failed', text);
      throw new Error(text, { cause: error }); // the item shows the same text as the server
    }
  }

  /** A server whose creation was cancelled before it started. */
  async cancelled(name: string): Promise<void> {
    await this.announce(name, 'failed', 'Creation cancelled before it started');
  }

  private async create(item: ItemContext, plan: PlannedServer, task: CreationTask): Promise<void> {
    const pve = this.proxmox.pve();
    const storages = [...new Set(plan.disks.map((disk) => disk.datastore))];
    const boot = plan.disks[0];
    if (!boot) throw new Error(`server ${plan.name} has no boot disk`);

    const reserved = await item.step('reserve', () => this.reserve(plan, task.taskId));
    const { vmid } = reserved;
    await item.update({ progress: 10 });

    await item.pveTask(
      'clone',
      async () => {
        if (await this.cloneExists(plan, vmid)) return ALREADY_DONE;
        return pve.cloneVm(plan.template.node, plan.template.vmid, {
          newid: vmid,
          name: plan.name,
          full: 1,
          target: plan.node,
          storage: boot.datastore,
        });
      },
      { resources: { node: plan.node, storages } },
    );
    await item.update({ progress: 45 });

    await item.step('configure', async () => {
      const cloned = await this.whenUnlocked(plan, vmid);
      await this.pveSteps.retryOnLock(() =>
        pve.updateVmConfig(plan.node, vmid, {
          cores: plan.cores,
          memory: String(plan.memory_mb),
          agent: '1',
          ciuser: plan.ciuser,
          ...(plan.cipassword_hash !== null ? { cipassword: plan.cipassword_hash } : {}),
          ...(plan.ssh_keys.length > 0 ? { sshkeys: encodeURIComponent(plan.ssh_keys.join('\n')) } : {}),
          ...this.networkConfig(reserved.networks, cloned),
          tags: plan.tags.join(';'),
          description: plan.description,
        }),
      );
      return true;
    });
    await item.update({ progress: 55 });

    await item.pveTask(
      'resize',
      async () => {
        const config = await pve.vmConfig(plan.node, vmid);
        const current = /size=(\d+)G/.exec(String(config[boot.device] ?? ''))?.[1];
        if (current !== undefined && Number(current) >= boot.size_gb) return ALREADY_DONE;
        return pve.resizeDisk(plan.node, vmid, {
          disk: boot.device as DiskKey,
          size: `${String(boot.size_gb)}G`,
        });
      },
      { resources: { node: plan.node, storages: [boot.datastore] } },
    );
    if (plan.disks.length > 1)
      await item.step('add-disks', async () => {
        const config = await pve.vmConfig(plan.node, vmid);
        const missing = plan.disks.slice(1).filter((disk) => config[disk.device] === undefined);
        if (missing.length > 0)
          await item.governed({ node: plan.node, storages }, () =>
            this.pveSteps.retryOnLock(() =>
              pve.updateVmConfig(
                plan.node,
                vmid,
                Object.fromEntries(
                  missing.map((disk) => [disk.device, `${disk.datastore}:${String(disk.size_gb)}`]),
                ),
              ),
            ),
          );
        return missing.length;
      });
    await item.update({ progress: 65 });

    await item.pveTask(
      'start',
      async () =>
        (await pve.vmStatus(plan.node, vmid)).status === 'running'
          ? ALREADY_DONE
          : pve.startVm(plan.node, vmid),
      { resources: { node: plan.node } },
    );
    await item.update({ progress: 75 });

    await item.step('wait-ready', () => this.waitReady(plan, reserved));
    await item.update({ progress: 90 });

    if (plan.firewall_group !== null) {
      const group = plan.firewall_group;
      // The same attachment as POST /api/apply_security_group (marked as Proxdeck's, enabled, firewall on).
      await item.step('firewall', async () => {
        await attachVmGroup(pve, { node: plan.node, vmid }, group, null);
        return group;
      });
    }
    const role = plan.role ?? null;
    if (role !== null) {
      await item.update({ progress: 95 });
      // The role's run, with its log kept as a run (docs/api.md §6); its failure fails the creation.
      await item.step('role', () =>
        this.roles.get().applyOnCreation({
          server: plan.name,
          role,
          variables: plan.role_variables ?? {},
          taskId: task.taskId,
          createdBy: task.createdBy,
        }),
      );
    }
    await this.announce(plan.name, 'running', null);
  }

  /**
   * A server restored from a vzdump backup into a new VM (docs/api.md §8 `POST /api/backups/restore`), as steps
   * like a creation's: reserve the VMID → `qmrestore` with new MACs → addresses for each NIC of the restored
   * config, allocated as for a creation → name, cloud-init ipconfigN and nameserver, the `proxdeck` tag → start →
   * wait until it runs with its own address → running. The server row exists already (`creating`).
   */
  async restoreAsNew(
    item: ItemContext,
    spec: RestoreSpec,
  ): Promise<{ vmid: number; ip_address: string | null }> {
    await this.announce(spec.name, 'creating', null);
    try {
      return await this.restore(item, spec);
    } catch (error) {
      const text = failureText(error);
      await this.announce(spec.name, 'failed', text);
      throw new Error(text, { cause: error });
    }
  }

  private async restore(
    item: ItemContext,
    spec: RestoreSpec,
  ): Promise<{ vmid: number; ip_address: string | null }> {
    const pve = this.proxmox.pve();
    const vmid = await item.step('reserve', () => this.reserveVmid(spec.name));
    await item.update({ progress: 10 });
    const storages = [spec.volid.slice(0, spec.volid.indexOf(':')), ...(spec.storage ? [spec.storage] : [])];
    await item.pveTask(
      'restore',
      async () => {
        if (await this.vmExists(spec.node, vmid)) return ALREADY_DONE; // an earlier try's restore
        return pve.restoreVm(spec.node, {
          vmid,
          archive: spec.volid,
          unique: true,
          ...(spec.storage ? { storage: spec.storage } : {}),
        });
      },
      { resources: { node: spec.node, storages } },
    );
    await item.update({ progress: 50 });
    const plan = { name: spec.name, node: spec.node };
    const networks = await item.step('addresses', async () => {
      const config = await pve.vmConfig(spec.node, vmid);
      const nics = Object.keys(config)
        .filter((key) => /^net\d+$/.test(key))
        .sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)))
        .map((device) => ({
          device,
          bridge: /bridge=([^,]+)/.exec(String(config[device]))?.[1] ?? '',
          address: 'auto',
          subnet: null,
        }))
        .filter((nic) => nic.bridge !== '');
      return this.reserveNics(spec.name, nics);
    });
    await item.step('configure', async () => {
      const config = await pve.vmConfig(spec.node, vmid);
      const tags = new Set(
        String(config.tags ?? '')
          .split(/[;,\s]+/)
          .filter((tag) => tag !== ''),
      );
      tags.add('proxdeck');
      await this.pveSteps.retryOnLock(() =>
        pve.updateVmConfig(spec.node, vmid, {
          name: spec.name,
          ...this.networkConfig(networks, config),
          tags: [...tags].join(';'),
        }),
      );
      return true;
    });
    await item.update({ progress: 65 });
    await item.pveTask(
      'start',
      async () =>
        (await pve.vmStatus(spec.node, vmid)).status === 'running'
          ? ALREADY_DONE
          : pve.startVm(spec.node, vmid),
      { resources: { node: spec.node } },
    );
    await item.update({ progress: 75 });
    await item.step('wait-ready', () => this.waitReady(plan, { vmid, networks }));
    await this.announce(spec.name, 'running', null);
    return { vmid, ip_address: networks[0]?.ip_address ?? null };
  }

  private async vmExists(node: string, vmid: number): Promise<boolean> {
    try {
      await this.proxmox.pve().vmConfig(node, vmid);
      return true;
    } catch (error) {
      if (isVmGone(error)) return false;
      throw error;
    }
  }

  /** The VMID and the addresses of every NIC: the ones held already, or new ones. */
  private async reserve(plan: PlannedServer, taskId: string): Promise<Reservation> {
    const vmid = await this.reserveVmid(plan.name, taskId);
    return { vmid, networks: await this.reserveNics(plan.name, plan.nics) };
  }

  /**
   * The server's VMID: the one it holds, or the lowest of VMID_RANGE that no server holds, Proxmox calls free
   * and no volume is named for (see VolumeOwners), the cluster's volumes read once for the `batch` (a task).
   */
  private async reserveVmid(name: string, batch: string = randomUUID()): Promise<number> {
    const pve = this.proxmox.pve();
    return this.repository.reserveVmid(name, this.config.values.VMID_RANGE, async (candidate) => {
      try {
        await pve.nextId(candidate);
      } catch (error) {
        if (error instanceof PveApiError && error.status === 400) return false; // in use in Proxmox
        throw error;
      }
      const leftovers = await this.volumeOwners.volumesOf(candidate, batch);
      if (leftovers.length > 0) {
        this.logger.warn(
          `VMID ${String(candidate)} passed over for ${name}: volumes of a former guest remain (${leftovers.join(', ')})`,
        );
        return false;
      }
      return true;
    });
  }

  /** An address for each NIC (held ones are kept), recorded on the server. */
  private async reserveNics(
    name: string,
    nics: readonly Pick<PlannedServer['nics'][number], 'device' | 'bridge' | 'address' | 'subnet'>[],
  ): Promise<ReservedNic[]> {
    const plan = { name, nics };
    const networks: ReservedNic[] = [];
    for (const [index, nic] of plan.nics.entries()) {
      const lease = await this.ips.allocate({
        owner: ipOwner(plan.name),
        nic: index,
        bridge: nic.bridge,
        address: nic.address,
        ...(nic.subnet ? { subnet: nic.subnet } : {}),
      });
      networks.push({
        device: nic.device,
        bridge: nic.bridge,
        ip_address: lease.address,
        prefix: lease.prefix,
        gateway: lease.gateway,
        dns: lease.dns,
      });
    }
    await this.repository.setNetworks(
      plan.name,
      networks.map((nic): ServerNetwork => ({
        device: nic.device,
        bridge: nic.bridge,
        ip_address: nic.ip_address,
        prefix: nic.prefix,
        gateway: nic.gateway,
        mac: null,
      })),
    );
    return networks;
  }

  /** `ipconfigN`, `netN` and the nameserver, for a VM cloned with `cloned` as its config. */
  private networkConfig(networks: readonly ReservedNic[], cloned: PveVmConfig): Record<string, string> {
    const config: Record<string, string> = {};
    const dns = new Set<string>();
    for (const [index, nic] of networks.entries()) {
      config[`ipconfig${String(index)}`] = `ip=${nic.ip_address}/${String(nic.prefix)},gw=${nic.gateway}`;
      // The template's NICs keep their model and MAC when on the right bridge; others are (re)made.
      const current = cloned[nic.device];
      if (typeof current !== 'string' || !current.split(',').includes(`bridge=${nic.bridge}`))
        config[nic.device] = `virtio,bridge=${nic.bridge}`;
      for (const server of nic.dns) dns.add(server);
    }
    if (dns.size > 0) config.nameserver = [...dns].join(' ');
    return config;
  }

  /** Whether the clone was made already: a VM of this VMID and this server's name (an earlier try's). */
  private async cloneExists(plan: PlannedServer, vmid: number): Promise<boolean> {
    try {
      const config = await this.proxmox.pve().vmConfig(plan.node, vmid);
      if (config.name === plan.name) return true;
      throw new Error(`VMID ${String(vmid)} is taken in Proxmox by ${String(config.name ?? 'another VM')}`);
    } catch (error) {
      if (isVmGone(error)) return false;
      throw error;
    }
  }

  /** Waits while the VM holds the `clone` lock (a clone an earlier try started may still run); its config. */
  private async whenUnlocked(plan: PlannedServer, vmid: number): Promise<PveVmConfig> {
    const deadline = Date.now() + this.config.values.TASK_TIMEOUT_S * 1000;
    for (;;) {
      const config = await this.proxmox.pve().vmConfig(plan.node, vmid);
      if (config.lock !== 'clone') return config;
      if (Date.now() > deadline) throw new Error(`VM ${String(vmid)} is still locked by its clone`);
      await delay(POLL_MS);
    }
  }

  /** Until the VM runs and the guest agent reports its primary address (SERVER_READY_TIMEOUT_S). */
  private async waitReady(
    plan: Pick<PlannedServer, 'name' | 'node'>,
    reserved: Reservation,
  ): Promise<string[]> {
    const pve = this.proxmox.pve();
    // The primary address (net0) tells the guest is up with its network configured.
    const expected = reserved.networks.slice(0, 1).map((nic) => nic.ip_address);
    const deadline = Date.now() + this.config.values.SERVER_READY_TIMEOUT_S * 1000;
    let last = 'not running yet';
    for (;;) {
      const status = await pve.vmStatus(plan.node, reserved.vmid);
      if (status.status === 'running') {
        try {
          const interfaces = await pve.agentNetworkInterfaces(plan.node, reserved.vmid);
          const reported = interfaces.flatMap((nic) =>
            (nic['ip-addresses'] ?? []).map((ip) => ip['ip-address']),
          );
          if (expected.every((address) => reported.includes(address))) return reported;
          last = `the guest agent reports ${reported.join(', ') || 'no address'}, expected ${expected.join(', ')}`;
        } catch (error) {
          last = `the guest agent does not answer yet (${failureText(error)})`;
        }
      } else last = `the VM is ${status.status}`;
      if (Date.now() > deadline)
        throw new Error(
          `Server ${plan.name} was not ready within ${String(this.config.values.SERVER_READY_TIMEOUT_S)} s: ${last}`,
        );
      await delay(POLL_MS);
    }
  }

  private async announce(
    name: string,
    status: 'creating' | 'running' | 'failed',
    error: string | null,
  ): Promise<void> {
    const server = await this.repository.setStatus(name, status, { error });
    if (server) await this.events.publish('server', { name, status }, { userId: null, broadcast: true });
  }
}
