/**
 * `POST …/qemu/{vmid}/clone` (docs/pve-semantics.md §7.8, §6): sync early checks, a target stub holding `lock: clone`,
 * a worker holding the source's flock (shared when stopped, exclusive when running) and the target's.
 */
import { flag, str, type RequestContext, type RouteTable } from '../context';
import { paramError, permissionError, pveDie } from '../http-error';
import { TaskError } from '../tasks';
import type { SimVm } from '../state/model';
import { guestFiles, newVm } from '../state/scenario';
import { checkLock } from '../state/vm-operations';
import { DISK_KEY, diskKeys, diskVolume, isCdrom, parseSize, propertyValue } from '../state/vm-config';
import { nowSeconds } from './cluster';
import { vmOf } from './qemu-common';

const GiB = 1024 ** 3;

export function registerQemuCloneRoute(routes: RouteTable): void {
  routes.set('POST /nodes/{node}/qemu/{vmid}/clone', (ctx) => cloneVm(ctx, vmOf(ctx)));
}

function cloneVm(ctx: RequestContext, source: SimVm): string {
  const { sim, auth, params } = ctx;
  const newid = Number(params.newid);
  sim.auth.require(auth, `/vms/${source.vmid}`, 'VM.Clone');
  const pool = str(params, 'pool');
  if (pool !== undefined) throw permissionError(`pool '${pool}' does not exist`);
  sim.auth.require(auth, `/vms/${newid}`, 'VM.Allocate');
  checkLock(source);
  const target = str(params, 'target') ?? source.node;
  if (!sim.state.hasNode(target)) throw pveDie(`no such cluster node '${target}'`);
  const isTemplate = source.config.template === '1';
  const full = params.full !== undefined ? flag(params, 'full') : !isTemplate;
  const storageParam = str(params, 'storage');
  if (!full && storageParam !== undefined) throw pveDie(`parameter 'storage' not allowed for linked clones`);
  if (!full && params.format !== undefined) throw pveDie(`parameter 'format' not allowed for linked clones`);
  if (!full && !isTemplate) throw pveDie('linked clone feature for non-template VMs is not supported');
  const existing = sim.state.findVm(newid);
  if (existing?.node === source.node)
    throw pveDie(`unable to create VM ${newid}: config file already exists`);
  const disks = diskKeys(source.config).filter(
    (k) => !isCdrom(source.config[k] ?? '') || (source.config[k] ?? '').includes('cloudinit'),
  );
  if (storageParam !== undefined) {
    const storage = sim.state.storage(storageParam);
    if (!storage) throw pveDie(`storage '${storageParam}' does not exist`);
    if (target !== source.node && !storage.shared)
      throw pveDie(`can't clone to non-shared storage '${storageParam}'`);
  }
  if (target !== source.node) {
    const local = disks.some(
      (key) => !sim.state.storage(diskVolume(source.config[key] ?? '').split(':')[0] ?? '')?.shared,
    );
    if (local) throw pveDie(`can't clone VM to node '${target}' (VM uses local storage)`);
  }
  for (const key of disks) {
    const storageId = storageParam ?? diskVolume(source.config[key] ?? '').split(':')[0] ?? '';
    const storage = sim.state.storage(storageId);
    if (!storage) throw pveDie(`storage '${storageId}' does not exist`);
    if (!storage.content.includes('images'))
      throw paramError({ storage: `storage '${storageId}' does not support vm images` });
    sim.auth.require(auth, `/storage/${storageId}`, 'Datastore.AllocateSpace');
  }
  // The target's config is created at once as a stub holding only `lock: clone`.
  let stub: SimVm | undefined;
  if (!existing) {
    stub = newVm(newid, source.node, sim.state.random, {});
    stub.config = { lock: 'clone' };
    stub.guestFiles = {};
    sim.state.data.vms.push(stub);
  }
  const sourceMode = source.running ? 'exclusive' : 'shared';
  return sim.tasks.start(source.node, 'qmclone', String(source.vmid), auth.upidUser, async (task) => {
    if (!stub) throw new TaskError(`clone failed: unable to create VM ${newid}: config file already exists`);
    const created: string[] = [];
    const vm = stub;
    try {
      await sim.flocks.with(newid, 'exclusive', () =>
        sim.flocks.with(source.vmid, sourceMode, async () => {
          const config: Record<string, string> = {};
          for (const [k, v] of Object.entries(source.config)) {
            if (k === 'template' || /^unused\d+$/.test(k) || k === 'lock' || DISK_KEY.test(k)) continue;
            config[k] = v;
          }
          config.name = str(params, 'name') ?? `Copy-of-VM-${source.config.name ?? String(source.vmid)}`;
          const description = str(params, 'description');
          if (description !== undefined) config.description = description;
          config.smbios1 = `uuid=${sim.state.random.uuid()}`;
          if (config.vmgenid !== undefined) config.vmgenid = sim.state.random.uuid();
          for (const key of Object.keys(config)) {
            if (/^net\d+$/.test(key))
              config[key] = (config[key] ?? '').replace(
                /^([a-z0-9]+)=[0-9A-F:]{17}/i,
                `$1=${sim.state.random.mac()}`,
              );
          }
          for (const key of diskKeys(source.config)) {
            const value = source.config[key] ?? '';
            const volid = diskVolume(value);
            const options = value.slice(volid.length);
            if (isCdrom(value) && !value.includes('cloudinit')) {
              config[key] = value;
              continue;
            }
            const storageId =
              (value.includes('cloudinit') ? undefined : storageParam) ?? volid.split(':')[0] ?? '';
            const volume = sim.state.findVolume(source.node, volid);
            const size = volume?.size ?? parseSize(propertyValue(value, 'size') ?? '0');
            if (value.includes('cloudinit')) {
              const newVol = sim.state.allocateDisk(target, storageId, newid, size, 'cloudinit');
              created.push(newVol);
              config[key] = `${newVol},media=cdrom`;
              continue;
            }
            if (full) {
              task.log(`create full clone of drive ${key} (${volid})`);
              const newVol = sim.state.allocateDisk(target, storageId, newid, size);
              created.push(newVol);
              const gib = size / GiB;
              const seconds = Math.max(2, gib * 1.5);
              const steps = 4;
              for (let i = 1; i <= steps; i++) {
                await task.sleep((seconds * 1000) / steps);
                const done = (gib * i) / steps;
                task.log(
                  `transferred ${done.toFixed(1)} GiB of ${gib.toFixed(1)} GiB (${((100 * i) / steps).toFixed(2)}%) in ${Math.round((seconds * i) / steps)}s`,
                );
              }
              config[key] = `${newVol}${options}`;
            } else {
              task.log(`create linked clone of drive ${key} (${volid})`);
              const name = volid.split(':')[1] ?? '';
              const linked = `${volid.split(':')[0] ?? ''}:${name}/vm-${newid}-disk-${created.filter((v) => !v.includes('cloudinit')).length}`;
              sim.state.data.volumes.push({
                volid: linked,
                storage: volid.split(':')[0] ?? '',
                content: 'images',
                format: 'raw',
                size,
                vmid: newid,
                ctime: nowSeconds(),
              });
              created.push(linked);
              await task.sleep(1000);
              config[key] = `${linked}${options}`;
            }
          }
          config.lock = 'clone';
          vm.config = config;
          vm.guestFiles = guestFiles(newid, config.name);
          await task.sleep(300);
          if (target !== source.node) vm.node = target;
          delete vm.config.lock;
        }),
      );
    } catch (error) {
      for (const volid of created) {
        const v = sim.state.data.volumes.find((x) => x.volid === volid);
        if (v) sim.state.removeVolume(v);
      }
      sim.state.removeVm(newid);
      const message = error instanceof Error ? error.message : String(error);
      throw new TaskError(`clone failed: ${message}`);
    }
  });
}
