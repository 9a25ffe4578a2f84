/** Storage: config list, node storage status, content (list/get/update/delete), vzdump and restore. */
import { createHash } from 'node:crypto';
import type { AuthInfo } from '../auth';
import { flag, num, str, type RequestContext, type RouteTable, type SimServices } from '../context';
import { PveHttpError, paramError, pveDie } from '../http-error';
import { TaskError } from '../tasks';
import type { SimStorage, SimVm, SimVolume } from '../state/model';
import { guestFiles, newVm } from '../state/scenario';
import { checkLock } from '../state/vm-operations';
import { DISK_KEY, diskVolume, isCdrom, propertyValue, totalDiskBytes } from '../state/vm-config';
import { nowSeconds } from './cluster';

const BACKUP_NAME =
  /vzdump-qemu-(\d+)-(\d{4})_(\d{2})_(\d{2})-(\d{2})_(\d{2})_(\d{2})\.(vma(?:\.zst|\.gz|\.lzo)?)$/;

function storageDigest(storages: SimStorage[]): string {
  return createHash('sha1')
    .update(JSON.stringify(storages.map((s) => [s.storage, s.type, s.content])))
    .digest('hex');
}

function nodeStorageItem(sim: SimServices, node: string, storage: SimStorage): Record<string, unknown> {
  const used = sim.state.usedBytes(node, storage);
  return {
    storage: storage.storage,
    type: storage.type,
    content: storage.content.join(','),
    active: 1,
    enabled: 1,
    shared: storage.shared ? 1 : 0,
    total: storage.total,
    used,
    avail: storage.total - used,
    used_fraction: used / storage.total,
  };
}

/** Storage.pm check_volume_access for listings: backups need AllocateSpace + VM.Backup on the owner. */
function canSeeVolume(sim: SimServices, auth: AuthInfo, volume: SimVolume): boolean {
  const storagePath = `/storage/${volume.storage}`;
  if (sim.auth.has(auth, storagePath, 'Datastore.Allocate')) return true;
  if (volume.content === 'backup') {
    return (
      sim.auth.has(auth, storagePath, 'Datastore.AllocateSpace') &&
      (volume.vmid === undefined || sim.auth.has(auth, `/vms/${volume.vmid}`, 'VM.Backup'))
    );
  }
  if (volume.content === 'images') {
    return (
      sim.auth.has(auth, storagePath, 'Datastore.Audit') &&
      (volume.vmid === undefined || sim.auth.has(auth, `/vms/${volume.vmid}`, 'VM.Config.Disk'))
    );
  }
  return (
    sim.auth.has(auth, storagePath, 'Datastore.Audit') ||
    sim.auth.has(auth, storagePath, 'Datastore.AllocateSpace')
  );
}

function contentItem(volume: SimVolume): Record<string, unknown> {
  const item: Record<string, unknown> = {
    volid: volume.volid,
    content: volume.content,
    format: volume.format,
    size: volume.size,
    ctime: volume.ctime,
  };
  if (volume.vmid !== undefined) item.vmid = volume.vmid;
  if (volume.content === 'backup') item.subtype = 'qemu';
  if (volume.content === 'images') item.used = volume.size;
  if (volume.notes !== undefined) item.notes = volume.notes.split('\n')[0];
  if (volume.protected) item.protected = 1;
  return item;
}

/** `{volume}` may be a full volid or the part after `<storage>:`. */
function resolveVolume(sim: SimServices, node: string, storageId: string, volume: string): SimVolume {
  const storage = sim.state.storageOn(node, storageId);
  let volid = volume;
  if (volume.includes(':')) {
    const given = volume.split(':')[0] ?? '';
    if (given !== storageId) throw paramError({ volume: `storage ID mismatch (${given} != ${storageId})` });
  } else volid = `${storageId}:${volume}`;
  const found = sim.state.volumesOn(node, storage).find((v) => v.volid === volid);
  if (!found) throw pveDie(`volume '${volid}' does not exist`);
  return found;
}

function requireVolumeAccess(sim: SimServices, auth: AuthInfo, volume: SimVolume): void {
  const storagePath = `/storage/${volume.storage}`;
  if (volume.content === 'backup' && volume.vmid !== undefined) {
    sim.auth.require(auth, storagePath, 'Datastore.AllocateSpace');
    sim.auth.require(auth, `/vms/${volume.vmid}`, 'VM.Backup');
  } else sim.auth.require(auth, storagePath, 'Datastore.Allocate');
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

export function backupFileName(vmid: number, date: Date, compress: string): string {
  const stamp = `${date.getUTCFullYear()}_${pad(date.getUTCMonth() + 1)}_${pad(date.getUTCDate())}-${pad(date.getUTCHours())}_${pad(date.getUTCMinutes())}_${pad(date.getUTCSeconds())}`;
  const ext =
    compress === 'zstd'
      ? '.vma.zst'
      : compress === 'gzip'
        ? '.vma.gz'
        : compress === 'lzo' || compress === '1'
          ? '.vma.lzo'
          : '.vma';
  return `vzdump-qemu-${vmid}-${stamp}${ext}`;
}

export function registerStorageRoutes(routes: RouteTable): void {
  routes.set('GET /storage', ({ sim, auth, params }) => {
    const type = str(params, 'type');
    const list = sim.state.data.storages.filter((s) => type === undefined || s.type === type);
    const digest = storageDigest(sim.state.data.storages);
    return list
      .filter(
        (s) =>
          sim.auth.has(auth, `/storage/${s.storage}`, 'Datastore.Audit') ||
          sim.auth.has(auth, `/storage/${s.storage}`, 'Datastore.AllocateSpace'),
      )
      .map((s) => ({
        storage: s.storage,
        type: s.type,
        content: s.content.join(','),
        ...(s.shared ? { shared: 1 } : {}),
        ...(s.path !== undefined ? { path: s.path } : {}),
        ...(s.nodes !== undefined ? { nodes: s.nodes.join(',') } : {}),
        ...s.extra,
        digest,
      }));
  });

  routes.set('GET /nodes/{node}/storage', ({ sim, auth, params }) => {
    const node = sim.state.node(String(params.node)).name;
    const content = str(params, 'content');
    const storageFilter = str(params, 'storage');
    return sim.state
      .storagesOn(node)
      .filter((s) => content === undefined || content.split(',').some((c) => s.content.includes(c)))
      .filter((s) => storageFilter === undefined || s.storage === storageFilter)
      .filter(
        (s) =>
          sim.auth.has(auth, `/storage/${s.storage}`, 'Datastore.Audit') ||
          sim.auth.has(auth, `/storage/${s.storage}`, 'Datastore.AllocateSpace'),
      )
      .map((s) => ({
        ...nodeStorageItem(sim, node, s),
        ...(flag(params, 'format')
          ? {
              formats: {
                default: s.type === 'dir' ? 'qcow2' : 'raw',
                supported: s.type === 'dir' ? ['qcow2', 'raw', 'vmdk'] : ['raw'],
              },
              select_existing: 0,
            }
          : {}),
      }));
  });

  routes.set('GET /nodes/{node}/storage/{storage}/status', ({ sim, auth, params }) => {
    const node = sim.state.node(String(params.node)).name;
    const storage = sim.state.storageOn(node, String(params.storage));
    sim.auth.require(auth, `/storage/${storage.storage}`, 'Datastore.Audit', 'Datastore.AllocateSpace');
    return nodeStorageItem(sim, node, storage);
  });

  routes.set('GET /nodes/{node}/storage/{storage}/content', ({ sim, auth, params }) => {
    const node = sim.state.node(String(params.node)).name;
    const storage = sim.state.storageOn(node, String(params.storage));
    sim.auth.require(auth, `/storage/${storage.storage}`, 'Datastore.Audit', 'Datastore.AllocateSpace');
    const content = str(params, 'content');
    const vmid = num(params, 'vmid');
    return sim.state
      .volumesOn(node, storage)
      .filter((v) => content === undefined || v.content === content)
      .filter((v) => vmid === undefined || v.vmid === vmid)
      .filter((v) => canSeeVolume(sim, auth, v))
      .map(contentItem);
  });

  routes.set('GET /nodes/{node}/storage/{storage}/content/{volume}', ({ sim, auth, params }) => {
    const node = sim.state.node(String(params.node)).name;
    const volume = resolveVolume(sim, node, String(params.storage), String(params.volume));
    if (!canSeeVolume(sim, auth, volume))
      throw new PveHttpError(403, `Permission check failed (/storage/${volume.storage}, Datastore.Audit)`);
    const storage = sim.state.storageOn(node, volume.storage);
    const rel = volume.volid.split(':')[1] ?? '';
    const path =
      storage.path !== undefined
        ? `${storage.path}/${volume.content === 'backup' ? 'dump/' + rel.replace(/^backup\//, '') : 'images/' + rel}`
        : `/dev/${storage.storage}/${rel}`;
    return {
      path,
      size: volume.size,
      used: volume.size,
      format: volume.format,
      ...(volume.notes !== undefined ? { notes: volume.notes } : {}),
      ...(volume.protected ? { protected: 1 } : {}),
    };
  });

  routes.set('PUT /nodes/{node}/storage/{storage}/content/{volume}', ({ sim, auth, params }) => {
    const node = sim.state.node(String(params.node)).name;
    const volume = resolveVolume(sim, node, String(params.storage), String(params.volume));
    requireVolumeAccess(sim, auth, volume);
    const notes = str(params, 'notes');
    if (notes !== undefined) volume.notes = notes;
    if (params.protected !== undefined) volume.protected = flag(params, 'protected');
    return null;
  });

  routes.set('DELETE /nodes/{node}/storage/{storage}/content/{volume}', async ({ sim, auth, params }) => {
    const node = sim.state.node(String(params.node)).name;
    const volume = resolveVolume(sim, node, String(params.storage), String(params.volume));
    requireVolumeAccess(sim, auth, volume);
    const id = volume.vmid !== undefined ? `${volume.vmid}@${volume.storage}` : volume.storage;
    const upid = sim.tasks.start(node, 'imgdel', id, auth.upidUser, async (task) => {
      await task.sleep(500);
      if (volume.protected) {
        throw new TaskError(
          volume.content === 'backup'
            ? `cannot remove protected archive '${volume.volid}'`
            : `cannot remove protected volume '${volume.volid}'`,
        );
      }
      // A disk still referenced by a VM config cannot be removed.
      const owner = sim.state.data.vms.find((vm) =>
        Object.entries(vm.config).some(
          ([k, v]) => (DISK_KEY.test(k) || k.startsWith('unused')) && diskVolume(v) === volume.volid,
        ),
      );
      if (
        owner &&
        !(
          Object.keys(owner.config).find((k) => diskVolume(owner.config[k] ?? '') === volume.volid) ?? ''
        ).startsWith('unused')
      ) {
        throw new TaskError(
          `unable to delete '${volume.volid}' - volume is still in use (referenced in VM ${owner.vmid})`,
        );
      }
      sim.state.removeVolume(volume);
      task.log(`Removed volume '${volume.volid}'`);
    });
    const delay = num(params, 'delay');
    if (delay === undefined) return upid;
    const deadline = Date.now() + delay * 1000;
    for (;;) {
      const task = sim.tasks.find(upid);
      if (task?.status === 'stopped') {
        if (task.exitstatus === 'OK') return null;
        throw pveDie(task.exitstatus ?? 'error');
      }
      if (Date.now() >= deadline) return upid;
      await new Promise((r) => setTimeout(r, 20));
    }
  });

  routes.set('POST /nodes/{node}/vzdump', (ctx) => vzdump(ctx));
}

function vzdump(ctx: RequestContext): string {
  const { sim, auth, params } = ctx;
  const node = sim.state.node(String(params.node)).name;
  const vmidList = str(params, 'vmid');
  const all = flag(params, 'all');
  if (vmidList === undefined && !all && params.pool === undefined && !flag(params, 'stop')) {
    throw paramError({ vmid: 'property is missing' });
  }
  if (vmidList !== undefined && (all || params.pool !== undefined))
    throw paramError({ vmid: "option conflicts with option 'all'" });
  if (flag(params, 'stop')) return 'OK';
  const storageId = str(params, 'storage') ?? 'local';
  const storage = sim.state.storageOn(node, storageId);
  if (!storage.content.includes('backup')) throw pveDie(`storage '${storageId}' does not support backups`);
  sim.auth.require(auth, `/storage/${storageId}`, 'Datastore.AllocateSpace');
  if (params['prune-backups'] !== undefined)
    sim.auth.require(auth, `/storage/${storageId}`, 'Datastore.Allocate');
  const requested = all
    ? sim.state.vmsOn(node).filter((v) => v.config.template !== '1')
    : (vmidList ?? '')
        .split(/[,;\s]+/)
        .filter((x) => x !== '')
        .map(Number)
        .map((id) => sim.state.findVm(id))
        .filter((v): v is SimVm => v !== undefined);
  const local = requested.filter((v) => v.node === node);
  if (local.length === 0) return 'OK';
  const compress = str(params, 'compress') ?? '0';
  const mode = str(params, 'mode') ?? 'snapshot';
  const notesTemplate = str(params, 'notes-template');
  const protect = flag(params, 'protected');
  const id = local.length === 1 ? String(local[0]?.vmid ?? '') : '';
  return sim.tasks.start(node, 'vzdump', id, auth.upidUser, async (task) => {
    let failed = 0;
    for (const vm of local) {
      if (!(all ? true : sim.auth.has(auth, `/vms/${vm.vmid}`, 'VM.Backup'))) {
        task.log(
          `ERROR: Backup of VM ${vm.vmid} failed - Permission check failed (/vms/${vm.vmid}, VM.Backup)`,
        );
        failed++;
        continue;
      }
      if (all && !sim.auth.has(auth, `/vms/${vm.vmid}`, 'VM.Backup')) continue;
      const started = new Date();
      task.log(`INFO: Starting Backup of VM ${vm.vmid} (qemu)`);
      task.log(`INFO: Backup started at ${started.toISOString().replace('T', ' ').slice(0, 19)}`);
      try {
        await sim.flocks.with(vm.vmid, 'exclusive', () => {
          checkLock(vm);
          vm.config.lock = 'backup';
        });
      } catch (error) {
        task.log(
          `ERROR: Backup of VM ${vm.vmid} failed - ${error instanceof Error ? error.message : String(error)}`,
        );
        failed++;
        continue;
      }
      try {
        task.log(`INFO: status = ${vm.running ? 'running' : 'stopped'}`);
        task.log(`INFO: backup mode: ${mode}`);
        task.log(`INFO: VM Name: ${vm.config.name ?? `VM ${vm.vmid}`}`);
        const file = backupFileName(vm.vmid, started, compress);
        task.log(`INFO: creating vzdump archive '${storage.path ?? ''}/dump/${file}'`);
        const bytes = totalDiskBytes(vm.config);
        const seconds = Math.max(3, (bytes / 1024 ** 3) * 0.8);
        await task.sleep(seconds * 1000);
        const size = Math.round(bytes * (compress === '0' ? 0.6 : 0.25)) || 1024 * 1024;
        const config: Record<string, string> = { ...vm.config };
        delete config.lock;
        const volume: SimVolume = {
          volid: `${storageId}:backup/${file}`,
          storage: storageId,
          ...(storage.shared ? {} : { node }),
          content: 'backup',
          format: file.slice(file.indexOf('.vma') + 1),
          size,
          vmid: vm.vmid,
          ctime: Math.floor(started.getTime() / 1000),
          backupOf: { config, node: vm.node },
        };
        if (notesTemplate !== undefined) {
          volume.notes = notesTemplate
            .replace(/\{\{cluster\}\}/g, sim.state.data.clusterName)
            .replace(/\{\{guestname\}\}/g, vm.config.name ?? '')
            .replace(/\{\{node\}\}/g, vm.node)
            .replace(/\{\{vmid\}\}/g, String(vm.vmid));
        }
        if (protect) volume.protected = true;
        sim.state.data.volumes.push(volume);
        task.log(`INFO: archive file size: ${(size / 1024 ** 3).toFixed(2)}GB`);
        const elapsed = Math.max(1, Math.round((Date.now() - started.getTime()) / 1000));
        task.log(`INFO: Finished Backup of VM ${vm.vmid} (00:00:${String(elapsed).padStart(2, '0')})`);
      } finally {
        if (vm.config.lock === 'backup') delete vm.config.lock;
      }
    }
    if (failed > 0) {
      task.log('INFO: Backup job finished with errors');
      throw new TaskError('job errors');
    }
    task.log('INFO: Backup job finished successfully');
  });
}

/** `POST /nodes/{node}/qemu` with `archive`: restore a vzdump backup into `vmid`. */
export function restoreFromBackup(ctx: RequestContext, node: string, vmid: number): string {
  const { sim, auth, params } = ctx;
  const archive = String(params.archive);
  const conflicts: Record<string, string> = {};
  for (const key of Object.keys(params))
    if (DISK_KEY.test(key)) conflicts[key] = "option conflicts with option 'archive'";
  if (Object.keys(conflicts).length > 0) throw paramError(conflicts);
  const force = flag(params, 'force');
  const existing = sim.state.findVm(vmid);
  if (existing && !force)
    throw pveDie(`unable to restore VM ${vmid} - VM ${vmid} already exists on node '${existing.node}'`);
  if (existing) {
    try {
      checkLock(existing);
    } catch (error) {
      throw pveDie(
        `unable to restore VM ${vmid} - ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    if (!sim.auth.has(auth, `/vms/${vmid}`, 'VM.Allocate'))
      sim.auth.require(auth, `/vms/${vmid}`, 'VM.Backup');
  } else sim.auth.require(auth, `/vms/${vmid}`, 'VM.Allocate');
  const volume = sim.state.findVolume(node, archive);
  if (volume?.content !== 'backup' || !volume.backupOf) throw pveDie(`volume '${archive}' does not exist`);
  sim.auth.require(auth, `/storage/${volume.storage}`, 'Datastore.AllocateSpace');
  if (volume.vmid !== undefined && volume.vmid !== vmid)
    sim.auth.require(auth, `/vms/${volume.vmid}`, 'VM.Backup');
  const targetStorage = str(params, 'storage');
  if (targetStorage !== undefined) sim.state.storageOn(node, targetStorage);
  const unique = flag(params, 'unique');
  const start = flag(params, 'start');
  const backup = volume.backupOf;
  let vm: SimVm;
  if (existing) {
    vm = existing;
    vm.config.lock = 'create';
  } else {
    vm = newVm(vmid, node, sim.state.random, { lock: 'create' });
    sim.state.data.vms.push(vm);
  }
  return sim.tasks.start(node, 'qmrestore', String(vmid), auth.upidUser, async (task) => {
    try {
      await sim.flocks.with(vmid, 'exclusive', async () => {
        if (vm.running) throw new TaskError(`unable to restore VM ${vmid} - vm is running`);
        task.log(`restore vma archive: zstd -q -d -c ${archive}`);
        // Drop the old disks of an overwritten VM.
        for (const [key, value] of Object.entries(vm.config)) {
          if (
            !(DISK_KEY.test(key) || /^unused\d+$/.test(key)) ||
            (isCdrom(value) && !value.includes('cloudinit'))
          )
            continue;
          const old = sim.state.findVolume(vm.node, diskVolume(value));
          if (old) sim.state.removeVolume(old);
        }
        const config: Record<string, string> = {};
        for (const [key, value] of Object.entries(backup.config)) {
          if (DISK_KEY.test(key) && (!isCdrom(value) || value.includes('cloudinit'))) {
            const storageId = targetStorage ?? diskVolume(value).split(':')[0] ?? '';
            const size = value.includes('cloudinit')
              ? 4 * 1024 * 1024
              : Number(propertyValue(value, 'size')?.replace(/G$/, '') ?? '0') * 1024 ** 3;
            const newVol = sim.state.allocateDisk(
              node,
              storageId,
              vmid,
              size,
              value.includes('cloudinit') ? 'cloudinit' : 'disk',
            );
            task.log(`new volume ID is '${newVol}'`);
            config[key] = `${newVol}${value.slice(diskVolume(value).length)}`;
            await task.sleep(Math.max(1000, (size / 1024 ** 3) * 500));
          } else if (!/^unused\d+$/.test(key)) config[key] = value;
        }
        if (unique) {
          for (const key of Object.keys(config))
            if (/^net\d+$/.test(key))
              config[key] = (config[key] ?? '').replace(
                /^([a-z0-9]+)=[0-9A-F:]{17}/i,
                `$1=${sim.state.random.mac()}`,
              );
        }
        config.lock = 'create';
        vm.config = config;
        vm.guestFiles = guestFiles(vmid, config.name);
        vm.pending = {};
        vm.pendingDelete = [];
        task.log(`rescan volumes...`);
      });
    } finally {
      delete vm.config.lock;
    }
    if (start) {
      vm.running = true;
      vm.startedAt = nowSeconds();
      vm.agentReadyAt = Date.now() + sim.tasks.scaled(25_000);
    }
  });
}

export { BACKUP_NAME };
