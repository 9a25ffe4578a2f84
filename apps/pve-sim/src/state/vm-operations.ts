/** VM state changes shared by several routes: config edits with pending semantics, disks, power state. */
import type { PveParamValue } from '@proxdeck/pve-client';
import type { AuthInfo } from '../auth';
import type { SimServices } from '../context';
import { PveHttpError, paramError, pveDie } from '../http-error';
import type { SimVm } from './model';
import {
  CONTROL_KEYS,
  DISK_KEY,
  configDigest,
  diskVolume,
  isCdrom,
  isHotpluggable,
  memoryMiB,
  normalizeTags,
  propertyValue,
  splitPropertyString,
} from './vm-config';

/** `check_lock`: 500 `VM is locked (<reason>)` unless root used skiplock. */
export function checkLock(vm: SimVm, skiplock = false): void {
  const lock = vm.config.lock;
  if (lock !== undefined && !skiplock) throw pveDie(`VM is locked (${lock})`);
}

/** The privilege a config key needs (docs/pve-semantics.md §8). */
/**
 * The privileges (any one suffices) a config key needs (qemu-server check_vm_modify_config_perm); a drive's depend
 * on its new value: a CD-ROM needs VM.Config.CDROM, a cloud-init drive VM.Config.CDROM or VM.Config.Cloudinit.
 */
export function privilegeForKey(key: string, value?: string): string[] {
  if (value !== undefined && DISK_KEY.test(key)) {
    if (/:cloudinit(,|$)/.test(value)) return ['VM.Config.CDROM', 'VM.Config.Cloudinit'];
    if (isCdrom(value)) return ['VM.Config.CDROM'];
  }
  if (['cores', 'sockets', 'cpu', 'vcpus', 'numa', 'cpulimit', 'cpuunits', 'affinity'].includes(key))
    return ['VM.Config.CPU'];
  if (['memory', 'balloon', 'shares'].includes(key)) return ['VM.Config.Memory'];
  if (/^net\d+$/.test(key)) return ['VM.Config.Network'];
  if (/^ipconfig\d+$/.test(key)) return ['VM.Config.Cloudinit', 'VM.Config.Network'];
  if (
    [
      'ciuser',
      'cipassword',
      'sshkeys',
      'nameserver',
      'searchdomain',
      'citype',
      'cicustom',
      'ciupgrade',
    ].includes(key)
  )
    return ['VM.Config.Cloudinit'];
  if (DISK_KEY.test(key) || /^unused\d+$/.test(key) || key === 'boot' || key === 'bootdisk')
    return ['VM.Config.Disk'];
  if (
    ['scsihw', 'vga', 'machine', 'bios', 'tablet', 'keyboard'].includes(key) ||
    /^(serial|usb|hostpci)\d+$/.test(key)
  )
    return ['VM.Config.HWType'];
  return ['VM.Config.Options'];
}

/** Turns a requested value into what PVE stores: MACs filled in, tags normalised, new disks allocated. */
function normalizeValue(
  sim: SimServices,
  vm: SimVm,
  key: string,
  value: string,
  config: Record<string, string>,
): string {
  if (key === 'tags') return normalizeTags(value);
  if (/^net\d+$/.test(key)) {
    const parts = splitPropertyString(value);
    let model: string | undefined;
    let mac: string | undefined;
    const rest: string[] = [];
    for (const [k, v] of parts) {
      if (k === undefined || k === 'model') model = v;
      else if (k === 'macaddr') mac = v;
      else if (
        [
          'virtio',
          'e1000',
          'e1000e',
          'vmxnet3',
          'rtl8139',
          'ne2k_pci',
          'pcnet',
          'i82551',
          'i82557b',
          'i82559er',
          'ne2k_isa',
        ].includes(k)
      ) {
        model = k;
        mac = v;
      } else rest.push(`${k}=${v}`);
    }
    return [`${model ?? 'virtio'}=${(mac ?? sim.state.random.mac()).toUpperCase()}`, ...rest].join(',');
  }
  if (DISK_KEY.test(key)) {
    const volume = diskVolume(value);
    const options = value.slice(volume.length);
    const alloc = /^([a-z][a-z0-9\-_.]*[a-z0-9]):(\d+(?:\.\d+)?)$/i.exec(volume);
    const cloudinit = /^([a-z][a-z0-9\-_.]*[a-z0-9]):cloudinit$/i.exec(volume);
    if (cloudinit?.[1]) {
      const existing = Object.entries(config).find(
        ([k, v]) => k !== key && DISK_KEY.test(k) && diskVolume(v).includes('cloudinit'),
      );
      if (existing)
        throw paramError({ [key]: `${key} - cloud-init drive is already attached at '${existing[0]}'` });
      const volid = sim.state.allocateDisk(vm.node, cloudinit[1], vm.vmid, 4 * 1024 * 1024, 'cloudinit');
      return `${volid},media=cdrom`;
    }
    if (alloc?.[1] && alloc[2] !== undefined && !options.includes('import-from=')) {
      const gib = Number(alloc[2]);
      const volid = sim.state.allocateDisk(vm.node, alloc[1], vm.vmid, Math.round(gib * 1024 ** 3));
      const cleaned = options.replace(/,size=[^,]*/g, '');
      return `${volid}${cleaned},size=${String(gib)}G`;
    }
  }
  return value;
}

/** Removes a disk key: attached disks go to the next `unusedN`; `unusedN` (or force) destroys the volume. */
function removeKey(sim: SimServices, vm: SimVm, key: string, force: boolean): void {
  const value = vm.config[key];
  if (value === undefined) return;
  const isUnused = /^unused\d+$/.test(key);
  if ((DISK_KEY.test(key) || isUnused) && vm.config.protection === '1') {
    throw pveDie(
      isUnused
        ? `can't remove unused disk '${value}' - protection mode enabled`
        : `can't remove drive '${key}' - protection mode enabled`,
    );
  }
  Reflect.deleteProperty(vm.config, key);
  if (DISK_KEY.test(key) && !isCdrom(value) && !force) {
    let n = 0;
    while (vm.config[`unused${n}`] !== undefined) n++;
    vm.config[`unused${n}`] = diskVolume(value);
    return;
  }
  if ((DISK_KEY.test(key) && !isCdrom(value)) || isUnused || value.includes('cloudinit')) {
    const volume = sim.state.findVolume(vm.node, diskVolume(value));
    if (volume) sim.state.removeVolume(volume);
  }
}

export interface ConfigChange {
  set: Record<string, string>;
  deletes: string[];
  reverts: string[];
  force: boolean;
}

/** The early (pre-fork / synchronous) checks of PUT/POST config. Returns the change to apply. */
export function prepareConfigChange(
  sim: SimServices,
  auth: AuthInfo,
  vm: SimVm,
  params: Record<string, PveParamValue>,
): ConfigChange {
  const skiplock = params.skiplock === 1;
  if (skiplock) sim.auth.requireRootParam(auth, 'skiplock');
  checkLock(vm, skiplock);
  const digest = params.digest;
  if (digest !== undefined && String(digest) !== configDigest(vm))
    throw pveDie('checksum mismatch (file change by other user?)');
  const set: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) if (!CONTROL_KEYS.has(k)) set[k] = String(v);
  const list = (v: PveParamValue | undefined): string[] =>
    v === undefined
      ? []
      : String(v)
          .split(/[,;\s]+/)
          .filter((x) => x !== '')
          .map((x) => (x === 'cdrom' ? 'ide2' : x));
  const deletes = list(params.delete);
  const reverts = list(params.revert);
  const force = params.force === 1;
  if (force && deletes.length === 0) throw paramError({ force: "you can't use 'force' without 'delete'" });
  for (const key of deletes) {
    if (key in set)
      throw paramError({ delete: `you can't use '-${key}' and -delete ${key}' at the same time` });
  }
  if (Object.keys(set).length === 0 && deletes.length === 0 && reverts.length === 0)
    throw pveDie('no options specified');
  for (const key of [...Object.keys(set), ...deletes, ...reverts])
    sim.auth.require(auth, `/vms/${vm.vmid}`, ...privilegeForKey(key, set[key]));
  // qemu-server check_bridge_access: a NIC on a bridge (and VLAN) needs SDN.Use on its local-network path.
  for (const [key, value] of Object.entries(set)) {
    if (!/^net\d+$/.test(key)) continue;
    const bridge = propertyValue(value, 'bridge');
    const tag = propertyValue(value, 'tag');
    if (bridge === undefined) continue;
    const path = `/sdn/zones/localnetwork/${bridge}${tag !== undefined ? `/${tag}` : ''}`;
    sim.auth.require(auth, path, 'SDN.Use');
  }
  // Allocating a new disk (`storage:GiB`, `storage:cloudinit`) also needs space on that storage.
  for (const [key, value] of Object.entries(set)) {
    const alloc = DISK_KEY.test(key)
      ? /^([a-z][a-z0-9\-_.]*[a-z0-9]):(\d+(\.\d+)?|cloudinit)(,|$)/i.exec(value)
      : null;
    if (alloc?.[1]) sim.auth.require(auth, `/storage/${alloc[1]}`, 'Datastore.AllocateSpace');
  }
  if (set.balloon !== undefined) {
    const memory =
      set.memory !== undefined
        ? Number(propertyValue(set.memory, 'current') ?? set.memory.split(',')[0])
        : memoryMiB(vm);
    if (Number(set.balloon) > memory)
      throw paramError({ balloon: 'balloon value too large (must be smaller than assigned memory)' });
  }
  return { set, deletes, reverts, force };
}

/**
 * Applies a prepared change. While the VM runs, hotpluggable keys change at once and the rest goes to the
 * pending section; while it is stopped everything applies at once.
 */
export function applyConfigChange(sim: SimServices, vm: SimVm, change: ConfigChange): void {
  for (const key of change.reverts) {
    Reflect.deleteProperty(vm.pending, key);
    vm.pendingDelete = vm.pendingDelete.filter((k) => k !== key);
  }
  const errors: Record<string, string> = {};
  for (const key of change.deletes) {
    if (vm.running && !isHotpluggable(key)) {
      if (!vm.pendingDelete.includes(key)) vm.pendingDelete.push(key);
      Reflect.deleteProperty(vm.pending, key);
      continue;
    }
    removeKey(sim, vm, key, change.force);
  }
  for (const [key, raw] of Object.entries(change.set)) {
    try {
      const value = normalizeValue(sim, vm, key, raw, { ...vm.config, ...vm.pending });
      if (vm.running && !isHotpluggable(key)) {
        vm.pending[key] = value;
        vm.pendingDelete = vm.pendingDelete.filter((k) => k !== key);
      } else {
        const previous = vm.config[key];
        if (previous !== undefined && DISK_KEY.test(key) && diskVolume(previous) !== diskVolume(value))
          removeKey(sim, vm, key, false);
        vm.config[key] = value;
        Reflect.deleteProperty(vm.pending, key);
      }
    } catch (error) {
      if (error instanceof PveHttpError && error.errors) Object.assign(errors, error.errors);
      else throw error;
    }
  }
  if (Object.keys(errors).length > 0) throw paramError(errors);
}

/** Applies the pending section (on start, stop or `status/reboot`). */
export function applyPending(sim: SimServices, vm: SimVm): void {
  for (const key of vm.pendingDelete) removeKey(sim, vm, key, false);
  Object.assign(vm.config, vm.pending);
  vm.pending = {};
  vm.pendingDelete = [];
}

export function powerOn(sim: SimServices, vm: SimVm): void {
  applyPending(sim, vm);
  vm.running = true;
  vm.paused = false;
  vm.startedAt = Math.floor(Date.now() / 1000);
  vm.pid = sim.state.nextPid();
  vm.agentReadyAt = Date.now() + sim.tasks.scaled(25_000);
  // The cloud-init ISO is regenerated at start: later edits reach the guest only after the next boot.
  if (vm.config.ipconfig0 !== undefined) vm.bootIpconfig0 = vm.config.ipconfig0;
  else delete vm.bootIpconfig0;
}

export function powerOff(sim: SimServices, vm: SimVm): void {
  vm.running = false;
  vm.paused = false;
  delete vm.startedAt;
  delete vm.pid;
  delete vm.agentReadyAt;
  applyPending(sim, vm);
}
