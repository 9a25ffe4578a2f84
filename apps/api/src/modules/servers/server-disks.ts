import { Injectable } from '@nestjs/common';
import { DISK_INTERFACES, type DiskInterface, type ServerDiskPayload } from '@proxdeck/contracts';
import type { PveClient, PveVmConfig } from '@proxdeck/pve-client';
import type { Principal } from '../../platform/access/principal';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../platform/errors/app-error';
import { EventsService } from '../../platform/events/events.service';
import { TaskAccepted } from '../../platform/http/envelope';
import { pveFailure } from '../../platform/proxmox/pve-failure';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import { ALREADY_DONE, type ItemContext } from '../../platform/queue/job-context';
import { JobQueue } from '../../platform/queue/job-queue';
import { PveTaskSteps } from '../../platform/queue/pve-task-steps';
import { DatastoreCatalog } from '../datastores';
import type { AddDiskDto, ResizeDiskDto } from './server-config.dto';
import { bootDisk, ServerConfig } from './server-config';
import { ServerHistory } from './server-history';
import { ServerOperations } from './server-operations';
import { ServersRepository } from './servers.repository';
import { disksOf } from './vm-config';

/** The disk keys Proxmox's resize takes (`scsi0`, `virtio1`, ...). */
type DiskKey = Parameters<PveClient['resizeDisk']>[2]['disk'];

/**
 * The first device of `bus` that the VM's config (pending changes included) does not use: `scsi1` when
 * `scsi0` is the boot disk and `ide2` the cloud-init drive; null when every slot is taken.
 */
export function nextFreeDevice(config: PveVmConfig, bus: DiskInterface): string | null {
  for (let index = 0; index < DISK_INTERFACES[bus]; index += 1) {
    const device = `${bus}${String(index)}`;
    if (config[device] === undefined) return device;
  }
  return null;
}

/**
 * A server's disks (docs/api.md §3.2): add one on the next free device, remove one (never the boot disk),
 * grow one (never shrink). Requests are checked here and queued as `servers.disk` tasks, whose steps are
 * below; each step reads the config again and is safe to repeat.
 */
@Injectable()
export class ServerDisks {
  constructor(
    private readonly repository: ServersRepository,
    private readonly config: ServerConfig,
    private readonly operations: ServerOperations,
    private readonly proxmox: ProxmoxConnection,
    private readonly catalog: DatastoreCatalog,
    private readonly jobs: JobQueue,
    private readonly history: ServerHistory,
    private readonly pveSteps: PveTaskSteps,
    private readonly events: EventsService,
  ) {}

  async requestAdd(principal: Principal, name: string, body: AddDiskDto): Promise<TaskAccepted> {
    const { vm } = await this.config.locate(name);
    const config = await this.read(() => this.proxmox.pve().vmConfig(vm.node, vm.vmid));
    const bus = body.interface ?? 'scsi';
    const boot = bootDisk(config);
    const datastore =
      body.datastore ?? disksOf(config).find((disk) => disk.device === boot)?.datastore ?? undefined;
    if (datastore === undefined)
      throw new ValidationFailedError({ datastore: 'is required: the server has no disk to take it from' });
    const found = await this.catalog.find(datastore);
    if (!found) throw new ValidationFailedError({ datastore: `no datastore ${datastore} in Proxmox` });
    if (!found.content.includes('images'))
      throw new ValidationFailedError({ datastore: `${datastore} does not hold disk images` });
    if (found.activeOn !== 'all' && !found.activeOn.includes(vm.node))
      throw new ValidationFailedError({ datastore: `${datastore} is not available on ${vm.node}` });
    const device = nextFreeDevice(config, bus);
    if (device === null)
      throw new ConflictError(`${name} has no free ${bus} slot (${String(DISK_INTERFACES[bus])} in use)`, {
        server: name,
      });
    return this.enqueue(
      principal,
      { operation: 'add', server: name, interface: bus, datastore, size_gb: body.size_gb },
      `Adding a ${String(body.size_gb)} GB disk to ${name} (${device} on ${datastore})`,
    );
  }

  async requestRemove(principal: Principal, name: string, device: string): Promise<TaskAccepted> {
    const { vm } = await this.config.locate(name);
    const config = await this.read(() => this.proxmox.pve().vmConfig(vm.node, vm.vmid));
    if (!disksOf(config).some((disk) => disk.device === device))
      throw new NotFoundError(`Disk ${device} of ${name}`);
    if (device === bootDisk(config))
      throw new ConflictError(`${device} is the boot disk of ${name}: it cannot be removed`, {
        server: name,
        device,
      });
    return this.enqueue(
      principal,
      { operation: 'remove', server: name, device },
      `Removing ${device} from ${name}: its data will be destroyed`,
    );
  }

  async requestResize(
    principal: Principal,
    name: string,
    device: string,
    body: ResizeDiskDto,
  ): Promise<TaskAccepted> {
    const { vm } = await this.config.locate(name);
    const config = await this.read(() => this.proxmox.pve().vmConfig(vm.node, vm.vmid));
    const disk = disksOf(config).find((candidate) => candidate.device === device);
    if (!disk) throw new NotFoundError(`Disk ${device} of ${name}`);
    if (body.size_gb <= disk.size_gb)
      throw new ValidationFailedError({
        size_gb: `must be more than the current ${String(disk.size_gb)} GB: a disk can grow, never shrink`,
      });
    return this.enqueue(
      principal,
      { operation: 'resize', server: name, device, size_gb: body.size_gb },
      `Growing ${device} of ${name} from ${String(disk.size_gb)} to ${String(body.size_gb)} GB`,
    );
  }

  /** The task's one item: the disk operation on the VM, then the server's disks as Proxmox has them. */
  async run(item: ItemContext, payload: ServerDiskPayload): Promise<string> {
    const server = await this.repository.findByName(payload.server);
    if (!server) throw new Error(`Server ${payload.server} is no longer in the inventory`);
    const vm = await item.step('locate', async () => {
      const located = await this.operations.locate(server);
      if (!located) throw new Error(`The VM of ${server.name} is gone from Proxmox`);
      return { node: located.node, vmid: located.vmid };
    });
    const pve = this.proxmox.pve();
    let outcome: string;
    if (payload.operation === 'add') {
      const device = await item.step('choose-device', async () => {
        const free = nextFreeDevice(await pve.vmConfig(vm.node, vm.vmid), payload.interface);
        if (free === null) throw new Error(`${server.name} has no free ${payload.interface} slot`);
        return free;
      });
      await item.pveTask(
        'add-disk',
        async () => {
          const config = await pve.vmConfig(vm.node, vm.vmid);
          if (config[device] !== undefined) return ALREADY_DONE; // an earlier try added it
          const upid = await pve.updateVmConfigAsync(vm.node, vm.vmid, {
            [device]: `${payload.datastore}:${String(payload.size_gb)}`,
            digest: config.digest,
          });
          return upid ?? ALREADY_DONE;
        },
        { resources: { node: vm.node, storages: [payload.datastore] } },
      );
      outcome = `added ${device}: ${String(payload.size_gb)} GB on ${payload.datastore}`;
    } else if (payload.operation === 'remove') {
      await item.step('remove-disk', async () => {
        const config = await pve.vmConfig(vm.node, vm.vmid);
        if (config[payload.device] === undefined) return false; // an earlier try removed it
        if (payload.device === bootDisk(config))
          throw new Error(`${payload.device} is the boot disk of ${server.name}: it cannot be removed`);
        await item.governed({ node: vm.node }, () =>
          this.pveSteps.retryOnLock(() => pve.unlinkDisks(vm.node, vm.vmid, payload.device, true)),
        );
        return true;
      });
      outcome = `removed ${payload.device} and destroyed its volume`;
    } else {
      const { device, size_gb } = payload;
      await item.pveTask(
        'resize',
        async () => {
          const config = await pve.vmConfig(vm.node, vm.vmid);
          const disk = disksOf(config).find((candidate) => candidate.device === device);
          if (!disk) throw new Error(`${server.name} has no disk ${device}`);
          if (disk.size_gb >= size_gb) return ALREADY_DONE;
          return pve.resizeDisk(vm.node, vm.vmid, { disk: device as DiskKey, size: `${String(size_gb)}G` });
        },
        { resources: { node: vm.node } },
      );
      outcome = `grew ${device} to ${String(size_gb)} GB`;
    }
    const disks = disksOf(await pve.vmConfig(vm.node, vm.vmid));
    await this.repository.setConfigured(server.name, { disks });
    await this.events.publish(
      'server',
      { name: server.name, status: server.status },
      { userId: null, broadcast: true },
    );
    return outcome;
  }

  private async enqueue(
    principal: Principal,
    payload: ServerDiskPayload,
    message: string,
  ): Promise<TaskAccepted> {
    const task = await this.jobs.enqueue('servers.disk', payload, {
      createdBy: principal.user.id,
      items: [payload.server],
      message,
    });
    await this.history.record([payload.server], {
      action: `disk.${payload.operation}`,
      outcome: 'requested',
      actor: principal.user.username,
      detail: message,
      taskId: task.id,
    });
    return new TaskAccepted(task.id, message);
  }

  private async read<R>(work: () => Promise<R>): Promise<R> {
    try {
      return await work();
    } catch (error) {
      throw pveFailure(error);
    }
  }
}
