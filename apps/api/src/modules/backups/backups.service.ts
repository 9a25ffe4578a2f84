import { Injectable } from '@nestjs/common';
import { PveApiError, PveTaskFailedError, type PveStorageContentItem } from '@proxdeck/pve-client';
import { DataSource } from 'typeorm';
import type { Principal } from '../../platform/access/principal';
import { AppConfig } from '../../platform/config/app-config';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../platform/errors/app-error';
import { TaskAccepted } from '../../platform/http/envelope';
import { pveFailure } from '../../platform/proxmox/pve-failure';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import type { ItemContext, JsonValue } from '../../platform/queue/job-context';
import { JobQueue } from '../../platform/queue/job-queue';
import type { BackupRestorePayload, BackupRunPayload } from '../../platform/queue/jobs';
import { Task } from '../../platform/queue/task.entity';
import { DatastoreCatalog, storageReads, type StorageRead } from '../datastores';
import { CreationPipeline, ServersRepository } from '../servers';
import type {
  BackupDto,
  BackupOverviewDto,
  BackupRefDto,
  BackupStatusDto,
  DeletedBackupDto,
  ProtectBackupDto,
  RestoreBackupDto,
  RunBackupDto,
} from './backups.dto';

const UNFINISHED = ['queued', 'running'];
const RECENT_MS = 24 * 3_600_000;

/** vzdump's progress lines: `INFO:  25% (8.0 GiB of 32.0 GiB) in 6s, read: …`. */
const PROGRESS_LINE = /^INFO:\s+(\d{1,3})% \(/;
/** `INFO: creating vzdump archive '/mnt/pve/nfs/dump/vzdump-qemu-100-….vma.zst'`. */
const ARCHIVE_LINE = /creating (?:vzdump )?archive '([^']+)'/;

/** The last vzdump percentage in these log lines, if any. */
export function lastPercent(lines: readonly string[]): number | null {
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = PROGRESS_LINE.exec(lines[i] ?? '');
    if (match) return Math.min(100, Number(match[1]));
  }
  return null;
}

/** The volume id of the archive vzdump wrote (from its log), or null when it did not say. */
export function archiveVolid(lines: readonly string[], storage: string): string | null {
  for (const line of lines) {
    const match = ARCHIVE_LINE.exec(line);
    const file = match?.[1]?.split('/').pop();
    if (file) return `${storage}:backup/${file}`;
  }
  return null;
}

/** vzdump's `notes-template` expands `{{…}}` and reads `\n` as a newline: keep the caller's text literal otherwise. */
function notesTemplate(notes: string): string {
  return notes.replace(/\\/g, '\\\\').replace(/\r?\n/g, '\\n');
}

/**
 * vzdump ends a failed job with the exit status `job errors`; what went wrong is in its log
 * (`ERROR: Backup of VM 100 failed - …`): keep those lines with the failure.
 */
export function withVzdumpErrors(error: unknown): unknown {
  if (!(error instanceof PveTaskFailedError)) return error;
  const reasons = error.logTail.filter((line) => line.startsWith('ERROR: '));
  if (reasons.length === 0) return error;
  error.message = `${error.message}: ${reasons.map((line) => line.slice('ERROR: '.length)).join('; ')}`;
  return error;
}

function isMissing(error: unknown): boolean {
  return error instanceof PveApiError && /does not exist|no such volume|not found/i.test(error.message);
}

/**
 * vzdump backups (docs/api.md §8, §15): runs as `backups.run` tasks following Proxmox's vzdump task to its end,
 * lists read from every storage with `backup` content (one request per storage per node, a shared storage read
 * once), deletion, protection and notes.
 */
@Injectable()
export class BackupsService {
  constructor(
    private readonly servers: ServersRepository,
    private readonly datastores: DatastoreCatalog,
    private readonly proxmox: ProxmoxConnection,
    private readonly jobs: JobQueue,
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly pipeline: CreationPipeline,
  ) {}

  // ---- run ------------------------------------------------------------------------------------------------

  /** Checks the server, the storage and that no backup of it runs (Proxdeck's or Proxmox's lock), then queues. */
  async run(principal: Principal, name: string, body: RunBackupDto): Promise<TaskAccepted> {
    const server = await this.servers.findByName(name);
    if (!server) throw new NotFoundError(`Server ${name}`);
    if (server.vmid === null || ['creating', 'failed', 'missing', 'deleting'].includes(server.status))
      throw new ConflictError(`Server ${name} has no VM to back up (status ${server.status})`, {
        status: server.status,
      });
    const vmid = server.vmid;
    const storage = await this.backupStorage(body.storage);
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    const key = `proxdeck:backup:${name}`;
    try {
      // Two requests for the same server at once: the second sees the first one's task.
      await runner.query('SELECT pg_advisory_lock(hashtext($1))', [key]);
      const running = await this.latestTask(name, true);
      if (running)
        throw new ConflictError(`A backup of ${name} is already running`, {
          server: name,
          task_id: running.id,
        });
      const node = await this.vmNode(name, vmid);
      if (!storage.activeOn.includes(node) && storage.activeOn !== 'all')
        throw new ValidationFailedError({ storage: `${storage.id} is not active on node ${node}` });
      let lock: string | undefined;
      try {
        lock = (await this.proxmox.pve().vmConfig(node, vmid)).lock as string | undefined;
      } catch (error) {
        throw pveFailure(error);
      }
      if (lock === 'backup')
        throw new ConflictError(`A backup of ${name} is already running in Proxmox (lock: backup)`, {
          server: name,
          lock,
        });
      if (lock !== undefined)
        throw new ConflictError(`${name} is locked in Proxmox (lock: ${lock})`, { server: name, lock });
      const payload: BackupRunPayload = {
        server: name,
        storage: storage.id,
        mode: body.mode ?? 'snapshot',
        compress: body.compress === undefined ? 'zstd' : body.compress === 'none' ? '0' : body.compress,
        notes: body.notes ?? null,
        protected: body.protected ?? false,
      };
      const task = await this.jobs.enqueue('backups.run', payload, {
        createdBy: principal.user.id,
        items: [name],
      });
      return new TaskAccepted(task.id, `Backup of ${name} to ${storage.id} queued`);
    } finally {
      await runner.query('SELECT pg_advisory_unlock(hashtext($1))', [key]).catch(() => undefined);
      await runner.release();
    }
  }

  /** The job's work for its one item: vzdump followed to its end, then its archive looked for on the storage. */
  async perform(
    item: ItemContext,
    payload: Readonly<BackupRunPayload>,
    report: (percent: number, message: string) => Promise<void>,
  ): Promise<{ volid: string; node: string; storage: string; size_bytes: number }> {
    const pve = this.proxmox.pve();
    const vm = await item.step('locate', async () => {
      const server = await this.servers.findByName(payload.server);
      if (server?.vmid === null || server === null)
        throw new Error(`Server ${payload.server} has no VM any more`);
      return { node: await this.vmNode(payload.server, server.vmid), vmid: server.vmid };
    });
    let following: string | null = null;
    let seen = 0;
    let last = -1;
    const poll = async (): Promise<void> => {
      if (following === null) return;
      const { lines } = await pve.taskLog(following, { start: seen, limit: 0 });
      const texts = lines.map((line) => line.t).filter((text) => text !== 'no content');
      seen += texts.length;
      const percent = lastPercent(texts);
      if (percent !== null && percent !== last) {
        last = percent;
        await report(Math.min(95, percent), `vzdump ${String(percent)}%`);
      }
    };
    const polling: { running: boolean; wake: () => void } = { running: true, wake: () => undefined };
    const poller = (async () => {
      while (polling.running) {
        await poll().catch(() => undefined); // progress only: the task watcher decides the end
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.config.values.PVE_TASK_POLL_MS);
          polling.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
      }
    })();
    let outcome;
    try {
      outcome = await item.pveTask(
        'vzdump',
        async () => {
          const upid = await pve.vzdump(vm.node, {
            vmid: String(vm.vmid),
            storage: payload.storage,
            mode: payload.mode,
            compress: payload.compress,
            ...(payload.notes !== null ? { 'notes-template': notesTemplate(payload.notes) } : {}),
            ...(payload.protected ? { protected: 1 } : {}),
          });
          if (!upid.startsWith('UPID:'))
            throw new Error(`vzdump backed up nothing on ${vm.node} (VM ${String(vm.vmid)} is not there)`);
          following = upid;
          return upid;
        },
        { resources: { node: vm.node, storages: [payload.storage] }, log: true },
      );
    } catch (error) {
      throw withVzdumpErrors(error);
    } finally {
      polling.running = false;
      polling.wake();
      await poller;
    }
    await report(96, 'vzdump finished; looking for the archive');
    const log = outcome.log ?? [];
    return item.step('verify', async () => {
      const expected = archiveVolid(log, payload.storage);
      const listed = await pve.storageContent(vm.node, payload.storage, { content: 'backup', vmid: vm.vmid });
      const found = expected
        ? listed.find((volume) => volume.volid === expected)
        : [...listed].sort((a, b) => (b.ctime ?? 0) - (a.ctime ?? 0))[0];
      if (!found)
        throw new Error(
          `vzdump ended ${outcome.exitstatus} but ${expected ?? 'its archive'} is not listed on storage ${payload.storage}`,
        );
      return { volid: found.volid, node: vm.node, storage: payload.storage, size_bytes: found.size };
    });
  }

  // ---- lists ----------------------------------------------------------------------------------------------

  async forServer(name: string): Promise<BackupDto[]> {
    const server = await this.servers.findByName(name);
    if (!server) throw new NotFoundError(`Server ${name}`);
    if (server.vmid === null) return [];
    return (await this.collect({ vmid: server.vmid })).backups;
  }

  async overview(node?: string): Promise<BackupOverviewDto> {
    return this.collect(node !== undefined ? { node } : {});
  }

  /**
   * Every backup on every storage with `backup` content: a node's own storage read on each node, a shared one
   * read once (on `node` when given, else the first online node that has it).
   */
  private async collect(filter: { node?: string; vmid?: number }): Promise<BackupOverviewDto> {
    const pve = this.proxmox.pve();
    let reads: StorageRead[];
    try {
      const [config, nodes] = await Promise.all([pve.storageConfig(), pve.nodes()]);
      if (filter.node !== undefined && !nodes.some((n) => n.node === filter.node))
        throw new NotFoundError(`Node ${filter.node}`);
      reads = storageReads(config, nodes, 'backup', filter.node);
    } catch (error) {
      throw pveFailure(error);
    }
    const names = new Map<number, string>();
    for (const server of await this.servers.all())
      if (server.vmid !== null && server.status !== 'deleting') names.set(server.vmid, server.name);
    const results = await Promise.allSettled(
      reads.map(async (read) => ({
        read,
        items: await pve.storageContent(read.node, read.storage, {
          content: 'backup',
          ...(filter.vmid !== undefined ? { vmid: filter.vmid } : {}),
        }),
      })),
    );
    const backups: BackupDto[] = [];
    for (const result of results) {
      if (result.status !== 'fulfilled') continue; // a storage not active on that node right now
      for (const item of result.value.items)
        backups.push(
          this.toDto(
            item,
            result.value.read.node,
            result.value.read.storage,
            result.value.read.shared,
            names,
          ),
        );
    }
    backups.sort((a, b) => (b.ctime ?? '').localeCompare(a.ctime ?? '') || a.volid.localeCompare(b.volid));
    const nodeStats: Record<string, { count: number; total_bytes: number }> = {};
    for (const backup of backups) {
      const stats = (nodeStats[backup.node] ??= { count: 0, total_bytes: 0 });
      stats.count++;
      stats.total_bytes += backup.size_bytes;
    }
    return {
      backups,
      node_stats: nodeStats,
      total_count: backups.length,
      total_bytes: backups.reduce((sum, backup) => sum + backup.size_bytes, 0),
    };
  }

  private toDto(
    item: PveStorageContentItem,
    node: string,
    storage: string,
    shared: boolean,
    names: Map<number, string>,
  ): BackupDto {
    const vmid = item.vmid ?? null;
    return {
      volid: item.volid,
      node,
      storage,
      vmid,
      server_name: vmid !== null ? (names.get(vmid) ?? null) : null,
      size_bytes: item.size,
      format: item.format,
      ctime: item.ctime !== undefined ? new Date(item.ctime * 1000).toISOString() : null,
      notes: item.notes ?? null,
      protected: item.protected === 1,
      shared,
    };
  }

  // ---- status ---------------------------------------------------------------------------------------------

  async status(name: string): Promise<BackupStatusDto> {
    const server = await this.servers.findByName(name);
    if (!server) throw new NotFoundError(`Server ${name}`);
    const latest = await this.latestTask(name, false);
    const lastOk = await this.dataSource
      .getRepository(Task)
      .createQueryBuilder('t')
      .where('t.type = :type', { type: 'backups.run' })
      .andWhere("t.payload ->> 'server' = :name", { name })
      .andWhere('t.status = :status', { status: 'completed' })
      .orderBy('t.finished_at', 'DESC')
      .getOne();
    let locked = false;
    if (server.vmid !== null && server.node !== null && server.status !== 'missing') {
      try {
        locked = (await this.proxmox.pve().vmConfig(server.node, server.vmid)).lock === 'backup';
      } catch {
        locked = false; // the VM moved or is gone: Proxdeck's task says enough
      }
    }
    return this.statusOf(name, latest, lastOk, locked);
  }

  async allStatus(): Promise<BackupStatusDto[]> {
    const tasks = await this.dataSource
      .getRepository(Task)
      .createQueryBuilder('t')
      .where('t.type = :type', { type: 'backups.run' })
      .andWhere('(t.status IN (:...unfinished) OR t.created_at > :since)', {
        unfinished: UNFINISHED,
        since: new Date(Date.now() - RECENT_MS),
      })
      .orderBy('t.created_at', 'DESC')
      .take(1000)
      .getMany();
    const out = new Map<string, BackupStatusDto>();
    for (const task of tasks) {
      const name = String(task.payload.server);
      if (out.has(name)) continue;
      const lastOk = tasks.find((t) => t.payload.server === name && t.status === 'completed') ?? null;
      out.set(name, this.statusOf(name, task, lastOk, false));
    }
    return [...out.values()];
  }

  private statusOf(name: string, latest: Task | null, lastOk: Task | null, locked: boolean): BackupStatusDto {
    return {
      server_name: name,
      is_backing_up: locked || (latest !== null && UNFINISHED.includes(latest.status)),
      task_id: latest?.id ?? null,
      status: latest?.status ?? null,
      progress: latest?.progress ?? 0,
      started_at: latest?.startedAt?.toISOString() ?? null,
      last_backup_at: lastOk?.finishedAt?.toISOString() ?? null,
    };
  }

  private async latestTask(name: string, unfinishedOnly: boolean): Promise<Task | null> {
    const query = this.dataSource
      .getRepository(Task)
      .createQueryBuilder('t')
      .where('t.type = :type', { type: 'backups.run' })
      .andWhere("t.payload ->> 'server' = :name", { name });
    if (unfinishedOnly) query.andWhere('t.status IN (:...unfinished)', { unfinished: UNFINISHED });
    return query.orderBy('t.created_at', 'DESC').getOne();
  }

  // ---- restore --------------------------------------------------------------------------------------------

  /**
   * Checks a restore and queues it: with `name`, into a new VM for a new server (recorded now as `creating`);
   * otherwise over the VM the backup is of (or `vmid`), which must exist and be stopped, with `overwrite: true`.
   */
  async restore(principal: Principal, body: RestoreBackupDto): Promise<TaskAccepted> {
    const storage = body.volid.slice(0, body.volid.indexOf(':'));
    await this.volume(body.node, storage, body.volid);
    const source = Number(/^[^:]+:backup\/vzdump-(?:qemu|lxc)-(\d+)-/.exec(body.volid)?.[1]);
    if (body.storage !== undefined) {
      const target = await this.datastores.find(body.storage);
      if (!target) throw new ValidationFailedError({ storage: `no storage ${body.storage}` });
      if (!target.content.includes('images'))
        throw new ValidationFailedError({ storage: `${body.storage} does not hold disk images` });
    }
    if (body.name !== undefined) {
      if (body.vmid !== undefined)
        throw new ValidationFailedError({
          vmid: 'a new VM gets its VMID from VMID_RANGE: leave vmid out when giving a name',
        });
      if (await this.servers.nameTaken(body.name))
        throw new ConflictError(`A server named ${body.name} exists`, { field: 'name' });
      const original = (await this.servers.all()).find((server) => server.vmid === source);
      await this.servers.insert({
        name: body.name,
        vmid: null,
        node: body.node,
        status: 'creating',
        origin: 'created',
        cpuCores: original?.cpuCores ?? 1,
        memoryMb: original?.memoryMb ?? 1024,
        disks: original?.disks ?? [],
        networks: [],
        osType: original?.osType ?? null,
        templateVmid: original?.templateVmid ?? null,
        tags: original?.tags ?? [],
        description: `Restored from ${body.volid}`,
        createdBy: principal.user.id,
      });
      const payload: BackupRestorePayload = {
        target: 'new',
        server: body.name,
        node: body.node,
        volid: body.volid,
        vmid: null,
        storage: body.storage ?? null,
      };
      const task = await this.jobs.enqueue('backups.restore', payload, {
        createdBy: principal.user.id,
        items: [body.name],
      });
      return new TaskAccepted(task.id, `Restore of ${body.volid} as new server ${body.name} queued`);
    }
    const vmid = body.vmid ?? source;
    let vm;
    try {
      vm = (await this.proxmox.pve().clusterResources('vm')).find(
        (resource) => resource.type === 'qemu' && resource.vmid === vmid,
      );
    } catch (error) {
      throw pveFailure(error);
    }
    if (!vm)
      throw new ConflictError(
        `VM ${String(vmid)} is gone from Proxmox: restore the backup as a new server (name)`,
        {
          vmid,
        },
      );
    const node = vm.node ?? body.node;
    const server = (await this.servers.all()).find((candidate) => candidate.vmid === vmid);
    const label = server?.name ?? `VM ${String(vmid)}`;
    if (body.overwrite !== true)
      throw new ValidationFailedError({
        overwrite: `restoring over ${label} replaces its disks and configuration: confirm with overwrite: true`,
      });
    let status: string;
    try {
      status = (await this.proxmox.pve().vmStatus(node, vmid)).status;
    } catch (error) {
      throw pveFailure(error);
    }
    if (status !== 'stopped')
      throw new ConflictError(`${label} is ${status}: stop it before restoring over it`, {
        vmid,
        status,
      });
    const payload: BackupRestorePayload = {
      target: 'overwrite',
      server: server?.name ?? `vm-${String(vmid)}`,
      node,
      volid: body.volid,
      vmid,
      storage: body.storage ?? null,
    };
    const task = await this.jobs.enqueue('backups.restore', payload, {
      createdBy: principal.user.id,
      items: [payload.server],
    });
    return new TaskAccepted(task.id, `Restore of ${body.volid} over ${label} queued`);
  }

  /** The job's work: qmrestore over the VM (followed to its end), or the new server's restore pipeline. */
  async performRestore(
    item: ItemContext,
    payload: Readonly<BackupRestorePayload>,
  ): Promise<Record<string, JsonValue>> {
    if (payload.target === 'new') {
      const made = await this.pipeline.restoreAsNew(item, {
        name: payload.server,
        node: payload.node,
        volid: payload.volid,
        storage: payload.storage,
      });
      return { server: payload.server, node: payload.node, ...made };
    }
    const vmid = payload.vmid;
    if (vmid === null) throw new Error('an overwrite restore names its VM');
    const pve = this.proxmox.pve();
    const storages = [
      payload.volid.slice(0, payload.volid.indexOf(':')),
      ...(payload.storage ? [payload.storage] : []),
    ];
    await item.pveTask(
      'restore',
      () =>
        pve.restoreVm(payload.node, {
          vmid,
          archive: payload.volid,
          force: true,
          ...(payload.storage ? { storage: payload.storage } : {}),
        }),
      { resources: { node: payload.node, storages }, log: true },
    );
    return { server: payload.server, node: payload.node, vmid };
  }

  // ---- delete, protect, notes -----------------------------------------------------------------------------

  async remove(ref: BackupRefDto): Promise<DeletedBackupDto> {
    const pve = this.proxmox.pve();
    const storage = ref.volid.slice(0, ref.volid.indexOf(':'));
    const attributes = await this.volume(ref.node, storage, ref.volid);
    if (attributes.protected === 1)
      throw new ConflictError(`${ref.volid} is protected: unprotect it to delete it`, {
        volid: ref.volid,
        reason: 'protected',
      });
    try {
      const upid = await pve.deleteStorageVolume(ref.node, storage, ref.volid, { delay: 5 });
      if (upid !== null) await pve.tasks.watch(upid);
    } catch (error) {
      throw pveFailure(error);
    }
    return { volid: ref.volid, node: ref.node };
  }

  async protect(body: ProtectBackupDto): Promise<BackupDto> {
    const pve = this.proxmox.pve();
    const storage = body.volid.slice(0, body.volid.indexOf(':'));
    await this.volume(body.node, storage, body.volid);
    try {
      await pve.updateStorageVolume(body.node, storage, body.volid, {
        protected: body.protected,
        ...(body.notes !== undefined ? { notes: body.notes } : {}),
      });
      const vmid = /-(\d+)-/.exec(body.volid.slice(body.volid.indexOf('vzdump-')))?.[1];
      const listed = await pve.storageContent(body.node, storage, {
        content: 'backup',
        ...(vmid !== undefined ? { vmid: Number(vmid) } : {}),
      });
      const item = listed.find((volume) => volume.volid === body.volid);
      if (!item) throw new NotFoundError(`Backup ${body.volid}`);
      const config = (await pve.storageConfig()).find((s) => s.storage === storage);
      const names = new Map<number, string>();
      for (const server of await this.servers.all())
        if (server.vmid !== null) names.set(server.vmid, server.name);
      return this.toDto(item, body.node, storage, config?.shared === 1, names);
    } catch (error) {
      throw pveFailure(error);
    }
  }

  private async volume(node: string, storage: string, volid: string) {
    try {
      return await this.proxmox.pve().storageVolume(node, storage, volid);
    } catch (error) {
      if (isMissing(error)) throw new NotFoundError(`Backup ${volid} on ${node}`);
      // pveproxy cannot resolve a node it does not know: the caller named no node of this cluster.
      if (error instanceof PveApiError && /hostname lookup '[^']*' failed/.test(error.message))
        throw new ValidationFailedError({ node: `no node ${node} in the cluster` });
      throw pveFailure(error);
    }
  }

  // ---- helpers --------------------------------------------------------------------------------------------

  /** The storage asked for (it must hold backups), or the first shared one with `backup` content. */
  private async backupStorage(id: string | undefined) {
    if (id !== undefined) {
      const found = await this.datastores.find(id);
      if (!found) throw new ValidationFailedError({ storage: `no storage ${id}` });
      if (!found.content.includes('backup'))
        throw new ValidationFailedError({
          storage: `${id} does not hold backups (content: ${found.content.join(', ')})`,
        });
      return found;
    }
    const first = (await this.datastores.withContent('backup'))[0];
    if (!first) throw new ValidationFailedError({ storage: 'no storage holds backups: name one' });
    return first;
  }

  /** Where the VM is now (one `/cluster/resources` read). */
  private async vmNode(name: string, vmid: number): Promise<string> {
    let node: string | undefined;
    try {
      const resources = await this.proxmox.pve().clusterResources('vm');
      node = resources.find((r) => r.type === 'qemu' && r.vmid === vmid)?.node;
    } catch (error) {
      throw pveFailure(error);
    }
    if (node === undefined)
      throw new ConflictError(`The VM of ${name} (VMID ${String(vmid)}) is gone from Proxmox`, {
        server: name,
      });
    return node;
  }
}
