/** Storage: config list, node storage status, content (list/get/update/delete). */
import { createHash } from 'node:crypto';
import type { AuthInfo } from '../auth';
import { flag, num, str, type RouteTable, type SimServices } from '../context';
import { PveHttpError, paramError, pveDie } from '../http-error';
import { TaskError } from '../tasks';
import type { SimStorage, SimVolume } from '../state/model';
import { DISK_KEY, diskVolume } from '../state/vm-config';

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
}
