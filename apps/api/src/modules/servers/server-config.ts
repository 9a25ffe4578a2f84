import { Injectable } from '@nestjs/common';
import { PveApiError, type PvePendingItem, type PveVmConfig } from '@proxdeck/pve-client';
import type { Principal } from '../../platform/access/principal';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../platform/errors/app-error';
import { EventsService } from '../../platform/events/events.service';
import { pveFailure } from '../../platform/proxmox/pve-failure';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import { isPveLockError } from '../../platform/queue/pve-task-steps';
import { isCpuType } from './cpu-types';
import type { Server } from './server.entity';
import type {
  ConfigDiskDto,
  ConfigNicDto,
  PendingChangeDto,
  ServerConfigDto,
  UpdateServerConfigDto,
} from './server-config.dto';
import { ServerHistory } from './server-history';
import { ServerOperations, isProtected, type LocatedVm } from './server-operations';
import { ServerSync } from './server-sync';
import { ServersRepository } from './servers.repository';
import { parseTags } from './sync-plan';
import { disksOf, memoryMb, networksOf, parsePropertyString } from './vm-config';

/** The tag every VM Proxdeck made carries: a change of tags keeps it. */
const PROXDECK_TAG = 'proxdeck';
/** Options whose pending values are secrets: never shown. */
const SECRET_OPTIONS = new Set(['cipassword']);
const NIC_MODELS = ['virtio', 'e1000', 'e1000e', 'rtl8139', 'vmxnet3'];

/** The CPU type of a `cpu` option (`host`, `cputype=host,flags=+aes`); Proxmox's default when absent. */
export function cpuType(value: string | number | undefined): string {
  if (value === undefined) return 'kvm64';
  const properties = parsePropertyString(String(value));
  return properties.get('cputype') ?? properties.get('') ?? 'kvm64';
}

/** The `cpu` option with another type, keeping its flags and other settings. */
export function withCpuType(value: string | number | undefined, type: string): string {
  if (value === undefined) return type;
  const parts = String(value)
    .split(',')
    .filter((part, index) => !(index === 0 && !part.includes('=')) && !part.startsWith('cputype='));
  return [type, ...parts].join(',');
}

/**
 * The disk a VM boots from: the first disk of `boot: order=…`, else the legacy `bootdisk`, else its first disk.
 */
export function bootDisk(config: PveVmConfig): string | null {
  const disks = disksOf(config).map((disk) => disk.device);
  const order = parsePropertyString(String(config.boot ?? '')).get('order');
  const fromOrder = order?.split(';').find((device) => disks.includes(device));
  if (fromOrder) return fromOrder;
  if (typeof config.bootdisk === 'string' && disks.includes(config.bootdisk)) return config.bootdisk;
  return disks[0] ?? null;
}

/** The options that wait for a restart, by key, secrets left out. */
export function pendingChanges(items: readonly PvePendingItem[]): Record<string, PendingChangeDto> {
  const pending: Record<string, PendingChangeDto> = {};
  for (const item of items) {
    if (SECRET_OPTIONS.has(item.key) || (item.pending === undefined && item.delete === undefined)) continue;
    pending[item.key] = {
      current: item.value !== undefined ? String(item.value) : null,
      pending: item.pending !== undefined ? String(item.pending) : null,
      delete: item.delete !== undefined,
    };
  }
  return pending;
}

/** A server's configuration read and changed in Proxmox (docs/api.md §3.2), with digest protection. */
@Injectable()
export class ServerConfig {
  constructor(
    private readonly repository: ServersRepository,
    private readonly operations: ServerOperations,
    private readonly proxmox: ProxmoxConnection,
    private readonly history: ServerHistory,
    private readonly sync: ServerSync,
    private readonly events: EventsService,
  ) {}

  async read(name: string): Promise<ServerConfigDto> {
    const { server, vm } = await this.locate(name);
    return this.readAt(server, vm);
  }

  /**
   * Changes what is given. Proxmox applies at once what it can hotplug (notes, tags); CPU and memory of a
   * running VM wait for a restart and show in `pending`. The digest sent (the caller's, else the one just read)
   * makes a change made in between a 409 rather than a lost update.
   */
  async update(principal: Principal, name: string, body: UpdateServerConfigDto): Promise<ServerConfigDto> {
    const { server, vm } = await this.locate(name);
    const pve = this.proxmox.pve();
    const [current, merged] = await Promise.all([
      this.call(name, () => pve.vmConfig(vm.node, vm.vmid, { current: 1 })),
      this.call(name, () => pve.vmConfig(vm.node, vm.vmid)),
    ]);
    if (body.digest !== undefined && body.digest !== current.digest) throw this.stale(name);
    await this.check(vm, merged, body);

    const params: Record<string, string | number> = {};
    const changes: string[] = [];
    const change = (key: string, label: string, next: string | number, now: string | number | undefined) => {
      if (String(next) === String(now ?? '')) return;
      params[key] = next;
      changes.push(`${label} ${String(now ?? '—')} → ${String(next)}`);
    };
    if (body.cpu?.cores !== undefined) change('cores', 'cores', body.cpu.cores, merged.cores ?? 1);
    if (body.cpu?.sockets !== undefined) change('sockets', 'sockets', body.cpu.sockets, merged.sockets ?? 1);
    if (body.cpu?.type !== undefined && body.cpu.type !== cpuType(merged.cpu))
      change('cpu', 'CPU type', withCpuType(merged.cpu, body.cpu.type), cpuType(merged.cpu));
    if (body.memory?.size_mb !== undefined)
      change('memory', 'memory MB', String(body.memory.size_mb), String(memoryMb(merged.memory)));
    if (body.memory?.balloon_mb !== undefined)
      change('balloon', 'balloon MB', body.memory.balloon_mb, merged.balloon);
    if (body.description !== undefined && body.description !== String(merged.description ?? '')) {
      params.description = body.description;
      changes.push('notes');
    }
    if (body.tags !== undefined) {
      const had = parseTags(typeof merged.tags === 'string' ? merged.tags : undefined);
      const tags = [...new Set(body.tags.map((tag) => tag.toLowerCase()))];
      if (had.includes(PROXDECK_TAG) && !tags.includes(PROXDECK_TAG)) tags.unshift(PROXDECK_TAG);
      if (tags.join(';') !== had.join(';')) {
        params.tags = tags.join(';');
        changes.push(`tags ${tags.join(', ') || '—'}`);
      }
    }
    if (changes.length === 0) return this.readAt(server, vm);

    try {
      await pve.updateVmConfig(vm.node, vm.vmid, { ...params, digest: body.digest ?? current.digest });
    } catch (error) {
      if (error instanceof PveApiError && /checksum mismatch|file changed by other user/.test(error.message))
        throw this.stale(name);
      if (error instanceof PveApiError && isPveLockError(error.message))
        throw new ConflictError(
          `${name} is locked in Proxmox (${error.message}): try again when it finishes`,
          {
            server: name,
          },
        );
      throw pveFailure(error);
    }
    const config = await this.readAt(server, vm);
    await this.repository.setConfigured(name, {
      cpuCores: config.cpu.cores * config.cpu.sockets,
      memoryMb: config.memory.size_mb,
      tags: config.tags,
      description: config.description,
    });
    const waiting = config.restart_required ? ' (some apply at the next reboot)' : '';
    await this.history.record([name], {
      action: 'config',
      outcome: 'completed',
      actor: principal.user.username,
      detail: `${changes.join('; ')}${waiting}`,
    });
    await this.events.publish('server', { name, status: server.status }, { userId: null, broadcast: true });
    return config;
  }

  /** The server and where its VM is; 409 when it has none in Proxmox. */
  async locate(name: string): Promise<{ server: Server; vm: LocatedVm }> {
    const server = await this.repository.findByName(name);
    if (!server) throw new NotFoundError(`Server ${name}`);
    const vm = await this.call(name, () => this.operations.locate(server));
    if (!vm)
      throw new ConflictError(
        server.vmid === null
          ? `Server ${name} has no VM in Proxmox yet (status ${server.status})`
          : `The VM of ${name} (VMID ${String(server.vmid)}) is gone from Proxmox`,
        { server: name },
      );
    return { server, vm };
  }

  private async readAt(server: Server, vm: LocatedVm): Promise<ServerConfigDto> {
    const pve = this.proxmox.pve();
    const [config, pendingItems] = await Promise.all([
      this.call(server.name, () => pve.vmConfig(vm.node, vm.vmid, { current: 1 })),
      this.call(server.name, () => pve.vmPending(vm.node, vm.vmid)),
    ]);
    const boot = bootDisk(config);
    const disks: ConfigDiskDto[] = disksOf(config).map((disk) => ({
      ...disk,
      volume: parsePropertyString(String(config[disk.device] ?? '')).get('') ?? '',
      boot: disk.device === boot,
    }));
    const network: ConfigNicDto[] = networksOf(config).map((nic) => {
      const properties = parsePropertyString(String(config[nic.device] ?? ''));
      const model = NIC_MODELS.find((candidate) => properties.has(candidate)) ?? 'virtio';
      const tag = properties.get('tag');
      return {
        device: nic.device,
        model,
        mac: nic.mac,
        bridge: nic.bridge,
        vlan: tag !== undefined ? Number(tag) : null,
        firewall: properties.get('firewall') === '1',
        ip_address: nic.ip_address,
        prefix: nic.prefix,
        gateway: nic.gateway,
      };
    });
    const size = memoryMb(config.memory);
    const pending = pendingChanges(pendingItems);
    const text = (key: string) => (config[key] !== undefined ? String(config[key]) : null);
    return {
      name: server.name,
      vmid: vm.vmid,
      node: vm.node,
      cpu: {
        cores: Number(config.cores ?? 1),
        sockets: Number(config.sockets ?? 1),
        type: cpuType(config.cpu),
      },
      memory: { size_mb: size, balloon_mb: config.balloon !== undefined ? Number(config.balloon) : size },
      disks,
      network,
      cloud_init: {
        user: text('ciuser'),
        nameserver: text('nameserver'),
        searchdomain: text('searchdomain'),
      },
      description: String(config.description ?? ''),
      tags: parseTags(typeof config.tags === 'string' ? config.tags : undefined),
      protection: isProtected(config),
      lock: text('lock'),
      digest: config.digest,
      pending,
      restart_required: Object.keys(pending).length > 0,
    };
  }

  /** What Proxmox would refuse, or the node could not run, checked first with the field named. */
  private async check(vm: LocatedVm, config: PveVmConfig, body: UpdateServerConfigDto): Promise<void> {
    const fields: Record<string, string> = {};
    if (body.cpu?.type !== undefined && !isCpuType(body.cpu.type))
      fields['cpu.type'] =
        'must be a CPU type Proxmox knows (host, x86-64-v2-AES, kvm64, …) or custom-<name>';
    const size = body.memory?.size_mb ?? memoryMb(config.memory);
    if (body.memory?.balloon_mb !== undefined && body.memory.balloon_mb > size)
      fields['memory.balloon_mb'] = `must be 0..${String(size)} MB (at most the memory)`;
    const cores = body.cpu?.cores ?? Number(config.cores ?? 1);
    const sockets = body.cpu?.sockets ?? Number(config.sockets ?? 1);
    const node = (await this.sync.lastNodes())?.nodes.find((candidate) => candidate.node === vm.node);
    if ((body.cpu?.cores !== undefined || body.cpu?.sockets !== undefined) && node && node.maxcpu > 0)
      if (cores * sockets > node.maxcpu)
        fields['cpu.cores'] =
          `${String(cores * sockets)} vCPUs (cores × sockets) exceed the ${String(node.maxcpu)} CPUs of ${vm.node}`;
    if (body.memory?.size_mb !== undefined && node && node.maxmem > 0 && size * 1024 * 1024 > node.maxmem)
      fields['memory.size_mb'] =
        `exceeds the ${String(Math.floor(node.maxmem / 1024 / 1024))} MB of memory of ${vm.node}`;
    if (Object.keys(fields).length > 0) throw new ValidationFailedError(fields);
  }

  private stale(name: string): ConflictError {
    return new ConflictError(
      `Someone changed ${name}'s configuration since it was read: reload it and apply your change again`,
      { server: name, reason: 'stale_digest' },
    );
  }

  private async call<R>(name: string, work: () => Promise<R>): Promise<R> {
    try {
      return await work();
    } catch (error) {
      throw pveFailure(error);
    }
  }
}
