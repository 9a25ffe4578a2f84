/**
 * Backups (docs/pve-semantics.md §7.15, §10.9): `POST /nodes/{node}/vzdump` with `lock: backup` and PVE-named volumes
 * (`vzdump-qemu-<vmid>-YYYY_MM_DD-HH_MM_SS.vma.zst`), and restore through `POST /nodes/{node}/qemu` + `archive`.
 */
import { backupsToPrune, parsePruneBackups } from '@proxdeck/pve-client';
import { flag, str, type RequestContext, type RouteTable } from '../context';
import { paramError, pveDie } from '../http-error';
import { TaskError } from '../tasks';
import type { SimVm, SimVolume } from '../state/model';
import { guestFiles, newVm } from '../state/scenario';
import { checkLock, powerOn } from '../state/vm-operations';
import { DISK_KEY, diskVolume, isCdrom, propertyValue, totalDiskBytes } from '../state/vm-config';

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

export function registerBackupRoutes(routes: RouteTable): void {
  routes.set('POST /nodes/{node}/vzdump', (ctx) => vzdump(ctx));
}

/** `POST /nodes/{node}/vzdump`; also what the backup-job scheduler runs, as root@pam. */
export function vzdump(ctx: RequestContext): string {
  const { sim, auth, params } = ctx;
  const node = sim.state.node(String(params.node)).name;
  const vmidList = str(params, 'vmid');
  const all = flag(params, 'all');
  // VZDump.pm verify_vzdump_parameters: each conflict is reported under the option that conflicts.
  if (vmidList !== undefined) {
    for (const option of ['all', 'exclude', 'pool'] as const) {
      if (option === 'all' ? all : params[option] !== undefined)
        throw paramError({ [option]: "option conflicts with option 'vmid'" });
    }
  }
  if (vmidList === undefined && !all && params.pool === undefined && !flag(params, 'stop')) {
    throw paramError({ vmid: 'property is missing' });
  }
  if (flag(params, 'stop')) return 'OK';
  const storageId = str(params, 'storage') ?? 'local';
  const storage = sim.state.storageOn(node, storageId);
  if (!storage.content.includes('backup')) throw pveDie(`storage '${storageId}' does not support backups`);
  sim.auth.require(auth, `/storage/${storageId}`, 'Datastore.AllocateSpace');
  if (params['prune-backups'] !== undefined)
    sim.auth.require(auth, `/storage/${storageId}`, 'Datastore.Allocate');
  const excluded = new Set(
    (str(params, 'exclude') ?? '')
      .split(/[,;\s]+/)
      .filter((x) => x !== '')
      .map(Number),
  );
  const requested =
    all || excluded.size > 0
      ? sim.state.vmsOn(node).filter((v) => v.config.template !== '1' && !excluded.has(v.vmid))
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
  const retention =
    params.remove !== undefined && Number(params.remove) === 0
      ? undefined
      : (str(params, 'prune-backups') ?? storage.extra['prune-backups']);
  const id = local.length === 1 ? String(local[0]?.vmid ?? '') : '';
  return sim.tasks.start(
    node,
    'vzdump',
    id,
    auth.upidUser,
    async (task) => {
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
        const started = new Date(sim.now());
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
          // Progress lines as vzdump prints them, e.g. `INFO:  25% (8.0 GiB of 32.0 GiB) in 6s, read: …`.
          const gib = bytes / 1024 ** 3;
          const steps = 4;
          // An injected failure (`failTasks: { vzdump }` or `{ 'vzdump:<vmid>' }`) fails this guest half way,
          // holding its lock until then, as a real error during the copy does.
          const injected = sim.faults.taskFailure('vzdump', String(vm.vmid));
          for (let i = 1; i <= steps; i++) {
            await task.sleep((seconds * 1000) / steps);
            if (injected !== undefined && i > steps / 2) throw new TaskError(injected);
            const percent = String(Math.round((100 * i) / steps)).padStart(3, ' ');
            const rate = `${((gib * 1024) / seconds).toFixed(1)} MiB/s`;
            task.log(
              `INFO: ${percent}% (${((gib * i) / steps).toFixed(1)} GiB of ${gib.toFixed(1)} GiB) in ${Math.round((seconds * i) / steps)}s, read: ${rate}, write: ${rate}`,
            );
          }
          task.log('INFO: backup is sparse: 0 B (0%) total zero data');
          task.log(`INFO: transferred ${gib.toFixed(1)} GiB in ${Math.round(seconds)} seconds`);
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
          const elapsed = Math.max(1, Math.round((sim.now() - started.getTime()) / 1000));
          if (retention !== undefined && !retention.includes('keep-all=1')) {
            task.log(`INFO: prune older backups with retention: ${retention.replace(/,/g, ', ')}`);
            const group = sim.state
              .volumesOn(node, storage)
              .filter((v) => v.content === 'backup' && v.vmid === vm.vmid);
            const removed = backupsToPrune(group, parsePruneBackups(retention));
            for (const old of removed) {
              task.log(`INFO: removing backup '${old.volid}'`);
              sim.state.removeVolume(old);
            }
            task.log(
              `INFO: pruned ${removed.length} backup(s)${removed.length === 0 ? ' not covered by keep-retention policy' : ''}`,
            );
          }
          task.log(`INFO: Finished Backup of VM ${vm.vmid} (00:00:${String(elapsed).padStart(2, '0')})`);
        } catch (error) {
          if (!(error instanceof TaskError) || error.message === 'received interrupt') throw error;
          task.log(`ERROR: Backup of VM ${vm.vmid} failed - ${error.message}`);
          failed++;
        } finally {
          if (vm.config.lock === 'backup') delete vm.config.lock;
        }
      }
      if (failed > 0) {
        task.log('INFO: Backup job finished with errors');
        throw new TaskError('job errors');
      }
      task.log('INFO: Backup job finished successfully');
    },
    { ownFaults: true },
  );
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
    if (start) powerOn(sim, vm);
  });
}
