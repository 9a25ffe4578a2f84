import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { PveNodeResource, PveStorageResource, PveVmResource } from '@proxdeck/pve-client';
import { AppConfig } from '../../platform/config/app-config';
import { AppError, ValidationFailedError } from '../../platform/errors/app-error';
import { pveFailure } from '../../platform/proxmox/pve-failure';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import { DatastoreCatalog } from '../datastores';
import { IpAllocationService } from '../ip-pools';
import { ipOwner, type PlannedDisk, type PlannedNic, type PlannedServer } from './creation-plan';
import type { BulkCreateServersDto, CreateServerDto } from './server-create.dto';
import { ServerRoles, type RoleVariableValue } from './server-roles';
import { ServersRepository } from './servers.repository';
import { hashVmPassword } from './sha512-crypt';
import { disksOf } from './vm-config';

const MiB = 1024 ** 2;
const DEFAULT_CPU = 2;
const DEFAULT_MEMORY_MB = 2048;
const DEFAULT_DISK_GB = 20;

/** One server of a request, and the prefix its fields are named with in errors (`servers.3.`). */
export interface CreationEntry {
  body: CreateServerDto;
  field: string;
}

/** A planned batch, and the passwords generated for servers given neither a password nor keys. */
export interface CreationBatch {
  servers: PlannedServer[];
  /** Name → the generated password, to be shown once to the creator; never stored in clear. */
  generatedPasswords: Map<string, string>;
  /** Name → the secret variables of its role: kept apart from the task record, never stored in clear. */
  roleSecrets: Map<string, Record<string, string>>;
}

interface TemplateFacts {
  vmid: number;
  node: string;
  /** Its disks are all on shared storage: it can be cloned to any node. */
  portable: boolean;
  bootDevice: string;
  bootSizeGb: number;
  bootDatastore: string;
}

/** Problems found, by field; thrown together at the end so that a request hears of all of them at once. */
class Problems {
  readonly fields: Record<string, string> = {};
  add(field: string, problem: string): void {
    this.fields[field] ??= problem;
  }
  get any(): boolean {
    return Object.keys(this.fields).length > 0;
  }
}

/** Names `base-01..base-NN` (at least two digits) from `start_index`. */
export function patternNames(base: string, count: number, startIndex = 1): string[] {
  const width = Math.max(2, String(startIndex + count - 1).length);
  return Array.from(
    { length: count },
    (_, index) => `${base}-${String(startIndex + index).padStart(width, '0')}`,
  );
}

/** The entries of a bulk request, list or pattern (docs/api.md §3.2), or a 400 naming what is wrong. */
export function bulkEntries(body: BulkCreateServersDto): CreationEntry[] {
  const { servers, base_name: base, count, start_index: startIndex, ...common } = body;
  if (servers !== undefined) {
    const extra = Object.keys(body).filter(
      (key) => key !== 'servers' && body[key as keyof typeof body] !== undefined,
    );
    if (extra.length > 0)
      throw new ValidationFailedError(
        Object.fromEntries(extra.map((key) => [key, 'not allowed with servers[]: give it in each server'])),
      );
    return servers.map((server, index) => ({ body: server, field: `servers.${String(index)}.` }));
  }
  const problems = new Problems();
  if ((common as { name?: string }).name !== undefined)
    problems.add('name', 'not used in a bulk creation: give base_name and count');
  if (base === undefined) problems.add('base_name', 'required (or give servers[])');
  if (count === undefined) problems.add('count', 'required with base_name');
  if (problems.any) throw new ValidationFailedError(problems.fields);
  const names = patternNames(base ?? '', count ?? 0, startIndex ?? 1);
  const tooLong = names.find((name) => name.length > 63);
  if (tooLong)
    throw new ValidationFailedError({ base_name: `makes names longer than 63 characters (${tooLong})` });
  return names.map((name) => ({ body: { ...common, name }, field: '' }));
}

/**
 * Checks a creation request completely before anything is queued (docs/api.md §3.3) and resolves it into
 * plans: names free and not repeated, the template (from `os_type` or `template_vm_id`) a template, a node
 * that can clone it (its own when its disks are local; otherwise the given one, or the one with the most free
 * memory), datastores that hold images on that node, bridges on that node, IP addresses available (explicit
 * ones not repeated in the request), the security group existing. Proxmox is read once per request, not per
 * server. A bad request is one 400 naming every field at fault; nothing is created.
 */
@Injectable()
export class CreationPlanner {
  constructor(
    private readonly config: AppConfig,
    private readonly proxmox: ProxmoxConnection,
    private readonly repository: ServersRepository,
    private readonly datastores: DatastoreCatalog,
    private readonly ips: IpAllocationService,
    private readonly roles: ServerRoles,
  ) {}

  async plan(entries: readonly CreationEntry[]): Promise<CreationBatch> {
    const settings = this.config.values;
    const problems = new Problems();

    // Roles and their variables (the roles module checks them; secret variables are kept apart).
    const roleSecrets = new Map<string, Record<string, string>>();
    const rolePlain = new Map<string, Record<string, RoleVariableValue>>();
    for (const { body, field } of entries) {
      if (body.role === undefined) {
        if (body.role_variables !== undefined) problems.add(`${field}role_variables`, 'given without a role');
        continue;
      }
      const checked = await this.roles.get().check(body.role, body.role_variables, field);
      for (const [key, problem] of Object.entries(checked.problems)) problems.add(key, problem);
      rolePlain.set(body.name, checked.plain);
      if (Object.keys(checked.secret).length > 0) roleSecrets.set(body.name, checked.secret);
    }
    const seenNames = new Map<string, string>();
    for (const { body, field } of entries) {
      const earlier = seenNames.get(body.name);
      if (earlier !== undefined) problems.add(`${field}name`, `is repeated in this request (${earlier}name)`);
      else seenNames.set(body.name, field);
    }
    const taken = await this.repository.takenNames([...seenNames.keys()]);
    for (const { body, field } of entries)
      if (taken.has(body.name)) problems.add(`${field}name`, 'is taken by another server');

    const catalog = memoized(this.datastores);
    const cluster = await this.readCluster(entries.some((entry) => entry.body.firewall_group !== undefined));
    const templates = new Map<number, TemplateFacts | string>();
    const plannedMemory = new Map<string, number>();
    const bridgesByNode = new Map<string, Set<string>>();
    const explicitAddresses = new Map<string, string>();
    const autoChecked = new Set<string>();
    const generatedPasswords = new Map<string, string>();
    const servers: PlannedServer[] = [];

    for (const { body, field } of entries) {
      // Template.
      const osType =
        body.template_vm_id === undefined
          ? (body.os_type ?? settings.DEFAULT_OS_TYPE)
          : (body.os_type ?? null);
      let templateVmid = body.template_vm_id;
      if (templateVmid === undefined) {
        templateVmid = settings.OS_TEMPLATES[osType ?? ''];
        if (templateVmid === undefined) {
          problems.add(`${field}os_type`, `must be one of ${Object.keys(settings.OS_TEMPLATES).join(', ')}`);
          continue;
        }
      }
      const templateField = body.template_vm_id === undefined ? `${field}os_type` : `${field}template_vm_id`;
      let template = templates.get(templateVmid);
      if (template === undefined) {
        template = await this.templateFacts(templateVmid, cluster.vms, catalog);
        templates.set(templateVmid, template);
      }
      if (typeof template === 'string') {
        problems.add(templateField, template);
        continue;
      }

      // Node.
      const memoryMb = body.memory ?? DEFAULT_MEMORY_MB;
      let node: string;
      if (body.node !== undefined) {
        const found = cluster.nodes.find((candidate) => candidate.node === body.node);
        if (!found) {
          problems.add(`${field}node`, 'is not a node of the cluster');
          continue;
        }
        if (found.status !== 'online') {
          problems.add(`${field}node`, `is ${found.status}`);
          continue;
        }
        if (!template.portable && body.node !== template.node) {
          problems.add(
            `${field}node`,
            `cannot clone template ${String(template.vmid)}: its disks are on local storage of ${template.node}`,
          );
          continue;
        }
        node = body.node;
      } else {
        const candidates = cluster.nodes.filter(
          (candidate) =>
            candidate.status === 'online' && (template.portable || candidate.node === template.node),
        );
        const freest = candidates
          .map((candidate) => ({
            node: candidate.node,
            free: (candidate.maxmem ?? 0) - (candidate.mem ?? 0) - (plannedMemory.get(candidate.node) ?? 0),
          }))
          .sort((a, b) => b.free - a.free || a.node.localeCompare(b.node))[0];
        if (!freest) {
          problems.add(templateField, `no online node can clone template ${String(template.vmid)}`);
          continue;
        }
        node = freest.node;
      }
      plannedMemory.set(node, (plannedMemory.get(node) ?? 0) + memoryMb * MiB);

      // Disks.
      const disks = await this.planDisks(body, field, template, node, problems, catalog);

      // Network devices.
      const nics: PlannedNic[] = [];
      const requestedNics = body.network_devices ?? [{ bridge: settings.DEFAULT_BRIDGE, ip_address: 'auto' }];
      for (const [index, nic] of requestedNics.entries()) {
        const nicField = `${field}network_devices.${String(index)}.`;
        const bridges = await this.bridgesOf(node, bridgesByNode);
        if (!bridges.has(nic.bridge)) {
          problems.add(`${nicField}bridge`, `no bridge ${nic.bridge} on node ${node}`);
          continue;
        }
        const address = nic.ip_address ?? 'auto';
        if ((nic.subnet === undefined) !== (nic.gateway === undefined))
          problems.add(
            `${nicField}${nic.subnet === undefined ? 'subnet' : 'gateway'}`,
            'give subnet and gateway together',
          );
        const subnet =
          nic.subnet !== undefined && nic.gateway !== undefined
            ? { prefix: nic.subnet, gateway: nic.gateway }
            : null;
        if (address !== 'auto') {
          const earlier = explicitAddresses.get(address);
          if (earlier !== undefined) {
            problems.add(`${nicField}ip_address`, `is repeated in this request (${earlier})`);
            continue;
          }
          explicitAddresses.set(address, `${nicField}ip_address`);
        }
        const checkKey = address === 'auto' ? `auto:${nic.bridge}` : address;
        if (!autoChecked.has(checkKey)) {
          autoChecked.add(checkKey);
          try {
            await this.ips.check({
              owner: ipOwner(body.name),
              nic: index,
              bridge: nic.bridge,
              address,
              ...(subnet ? { subnet } : {}),
              field: `${nicField}ip_address`,
            });
          } catch (error) {
            if (error instanceof ValidationFailedError)
              for (const [key, problem] of Object.entries(error.fields)) problems.add(key, problem);
            else if (error instanceof AppError) problems.add(`${nicField}ip_address`, error.message);
            else throw error;
          }
        }
        nics.push({ device: `net${String(index)}`, bridge: nic.bridge, address, subnet });
      }

      // Security group.
      if (body.firewall_group !== undefined && !cluster.firewallGroups.has(body.firewall_group))
        problems.add(`${field}firewall_group`, 'is not a security group in Proxmox');

      // Cloud-init user.
      const sshKeys = body.ssh_keys ?? configuredKeys(settings.VM_SSH_KEYS);
      let passwordHash: string | null = null;
      if (body.vm_password !== undefined) passwordHash = hashVmPassword(body.vm_password);
      else if (sshKeys.length === 0) {
        const generated = randomBytes(12).toString('base64url');
        generatedPasswords.set(body.name, generated);
        passwordHash = hashVmPassword(generated);
      }

      servers.push({
        name: body.name,
        template: { vmid: template.vmid, node: template.node },
        node,
        cores: body.cpu ?? DEFAULT_CPU,
        memory_mb: memoryMb,
        disks,
        nics,
        os_type: osType,
        firewall_group: body.firewall_group ?? null,
        ciuser: body.vm_username ?? settings.VM_USERNAME,
        cipassword_hash: passwordHash,
        ssh_keys: sshKeys,
        tags: [...new Set(['proxdeck', ...(body.tags ?? [])])],
        description: body.description ?? '',
        role: body.role ?? null,
        role_variables: rolePlain.get(body.name) ?? {},
      });
    }
    if (problems.any) throw new ValidationFailedError(problems.fields);
    return { servers, generatedPasswords, roleSecrets };
  }

  private async readCluster(withFirewall: boolean) {
    const pve = this.proxmox.pve();
    try {
      const [resources, groups] = await Promise.all([
        pve.clusterResources(),
        withFirewall ? pve.firewallGroups() : Promise.resolve([]),
      ]);
      return {
        vms: resources.filter((r): r is PveVmResource => r.type === 'qemu'),
        nodes: resources.filter((r): r is PveNodeResource => r.type === 'node'),
        storages: resources.filter((r): r is PveStorageResource => r.type === 'storage'),
        firewallGroups: new Set(groups.map((group) => group.group)),
      };
    } catch (error) {
      throw pveFailure(error);
    }
  }

  /** What a template's config says of cloning it, or why it cannot be cloned. */
  private async templateFacts(
    vmid: number,
    vms: readonly PveVmResource[],
    catalog: Catalog,
  ): Promise<TemplateFacts | string> {
    const vm = vms.find((candidate) => candidate.vmid === vmid);
    if (!vm) return `no VM ${String(vmid)} in Proxmox`;
    if (vm.template !== 1) return `VM ${String(vmid)} is not a template`;
    let config;
    try {
      config = await this.proxmox.pve().vmConfig(vm.node, vmid);
    } catch (error) {
      throw pveFailure(error);
    }
    const disks = disksOf(config);
    const boot = disks[0];
    if (!boot) return `template ${String(vmid)} has no disk to clone`;
    const shared = await Promise.all(
      disks.map(async (disk) => (await catalog.find(disk.datastore))?.shared === true),
    );
    return {
      vmid,
      node: vm.node,
      portable: shared.every(Boolean),
      bootDevice: boot.device,
      bootSizeGb: boot.size_gb,
      bootDatastore: boot.datastore,
    };
  }

  private async planDisks(
    body: CreateServerDto,
    field: string,
    template: TemplateFacts,
    node: string,
    problems: Problems,
    catalog: Catalog,
  ): Promise<PlannedDisk[]> {
    const requested = body.disks ?? [{ size_gb: Math.max(DEFAULT_DISK_GB, template.bootSizeGb) }];
    const used = new Set<string>([template.bootDevice]);
    const planned: PlannedDisk[] = [];
    for (const [index, disk] of requested.entries()) {
      const diskField = `${field}disks.${String(index)}.`;
      // Proxmox clones to another node only onto shared storage: the boot disk (the clone) stays on the
      // template's storage when the default one is the node's own.
      const crossNodeClone = index === 0 && node !== template.node;
      let datastore = disk.datastore_id ?? 'auto';
      if (datastore === 'auto') {
        const chosen = await catalog.defaultFor(disk.disk_type ?? 'hdd');
        if (chosen === null) {
          problems.add(`${diskField}datastore_id`, 'no datastore holds disk images');
          continue;
        }
        const chosenShared = (await catalog.find(chosen))?.shared === true;
        datastore = crossNodeClone && !chosenShared ? template.bootDatastore : chosen;
      }
      const info = await catalog.find(datastore);
      if (!info) problems.add(`${diskField}datastore_id`, `no datastore ${datastore} in Proxmox`);
      else if (!info.content.includes('images'))
        problems.add(`${diskField}datastore_id`, `${datastore} does not hold disk images`);
      else if (info.activeOn !== 'all' && !info.activeOn.includes(node))
        problems.add(`${diskField}datastore_id`, `${datastore} is not available on node ${node}`);
      else if (crossNodeClone && !info.shared)
        problems.add(
          `${diskField}datastore_id`,
          `${datastore} is not shared: a clone to node ${node} must go to shared storage (or create on ${template.node})`,
        );
      let device: string;
      if (index === 0) {
        device = template.bootDevice;
        if (disk.size_gb < template.bootSizeGb)
          problems.add(
            `${diskField}size_gb`,
            `must be at least the template's ${String(template.bootSizeGb)} GB`,
          );
      } else {
        const bus = /^[a-z]+/.exec(disk.interface ?? 'scsi')?.[0] ?? 'scsi';
        const explicit = /\d+$/.test(disk.interface ?? '') ? (disk.interface ?? '') : null;
        if (explicit !== null) {
          if (used.has(explicit))
            problems.add(`${diskField}interface`, `${explicit} is used by another disk`);
          device = explicit;
        } else {
          let slot = 0;
          while (used.has(`${bus}${String(slot)}`)) slot += 1;
          device = `${bus}${String(slot)}`;
        }
      }
      used.add(device);
      planned.push({ device, datastore, size_gb: disk.size_gb });
    }
    return planned;
  }

  private async bridgesOf(node: string, cache: Map<string, Set<string>>): Promise<Set<string>> {
    let bridges = cache.get(node);
    if (!bridges) {
      try {
        const interfaces = await this.proxmox.pve().nodeNetwork(node);
        bridges = new Set(
          interfaces.filter((i) => i.type === 'bridge' || i.type === 'OVSBridge').map((i) => i.iface),
        );
      } catch (error) {
        throw pveFailure(error);
      }
      cache.set(node, bridges);
    }
    return bridges;
  }
}

type Catalog = Pick<DatastoreCatalog, 'find' | 'defaultFor'>;

/** The catalog, each answer read once per request (a batch asks about the same datastores for every server). */
function memoized(catalog: Catalog): Catalog {
  const found = new Map<string, ReturnType<Catalog['find']>>();
  const defaults = new Map<string, ReturnType<Catalog['defaultFor']>>();
  return {
    find: (id) => {
      let answer = found.get(id);
      if (!answer) found.set(id, (answer = catalog.find(id)));
      return answer;
    },
    defaultFor: (kind) => {
      let answer = defaults.get(kind);
      if (!answer) defaults.set(kind, (answer = catalog.defaultFor(kind)));
      return answer;
    },
  };
}

function configuredKeys(setting: string | undefined): string[] {
  return (setting ?? '')
    .split(/[,\n]/)
    .map((key) => key.trim())
    .filter((key) => key.length > 0);
}
