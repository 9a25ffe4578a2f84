import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import {
  calendarEventError,
  isTimeZone,
  formatPruneBackups,
  isTaskSuccess,
  nextCalendarEvent,
  nextCalendarEvents,
  parseCalendarEvent,
  type PruneOptions,
  type PveBackupJob,
  type PveTaskListItem,
  type PveVmResource,
} from '@proxdeck/pve-client';
import { DataSource } from 'typeorm';
import type { Principal } from '../../platform/access/principal';
import { ConflictError, NotFoundError, ValidationFailedError } from '../../platform/errors/app-error';
import { TaskAccepted } from '../../platform/http/envelope';
import { pveFailure } from '../../platform/proxmox/pve-failure';
import { ProxmoxConnection } from '../../platform/proxmox/proxmox-connection';
import { ALREADY_DONE, type ItemContext, type JsonValue } from '../../platform/queue/job-context';
import { JobQueue } from '../../platform/queue/job-queue';
import { Task } from '../../platform/queue/task.entity';
import { DatastoreCatalog } from '../datastores';
import { ServersRepository } from '../servers';
import type {
  BackupJobBodyDto,
  BackupJobDto,
  BackupJobLastRunDto,
  BackupJobSelectionDto,
  NotCoveredServerDto,
  SchedulePreviewDto,
} from './backup-jobs.dto';
import { withVzdumpErrors } from './backups.service';

/** The comment that marks a job selecting a tag: Proxmox selects by VMID or pool only. */
const TAG_COMMENT = /^proxdeck:tag=(\S+)/;
/** A scheduled vzdump starts within this long after its scheduled time (pvescheduler checks each minute). */
const SCHEDULER_SLACK_S = 90;
const PREVIEW_RUNS = 5;
/** How long the nodes' time zone, once read, is used. */
const ZONE_TTL_MS = 10 * 60_000;

function listOf(text: string | undefined): number[] {
  return (text ?? '')
    .split(/[,;\s]+/)
    .filter((part) => /^\d+$/.test(part))
    .map(Number);
}

/** `keep_last` … as Proxmox's `keep-last` …. */
function pruneOf(body: BackupJobBodyDto['prune']): PruneOptions {
  return {
    ...(body?.keep_last ? { 'keep-last': body.keep_last } : {}),
    ...(body?.keep_daily ? { 'keep-daily': body.keep_daily } : {}),
    ...(body?.keep_weekly ? { 'keep-weekly': body.keep_weekly } : {}),
    ...(body?.keep_monthly ? { 'keep-monthly': body.keep_monthly } : {}),
  };
}

/**
 * Scheduled backups as Proxmox's own backup jobs (`/cluster/backup`, docs/api.md §15): they run from
 * pvescheduler on the nodes, also while Proxdeck is down, and show in Proxmox's UI. Proxdeck shows each job's
 * next runs and its last result (the newest of its scheduled vzdump tasks in the cluster task list and its runs
 * started here), starts a job at once (`backups.job-run`), and lists the servers no enabled job covers.
 */
@Injectable()
export class BackupJobsService {
  constructor(
    private readonly proxmox: ProxmoxConnection,
    private readonly servers: ServersRepository,
    private readonly datastores: DatastoreCatalog,
    private readonly jobs: JobQueue,
    private readonly dataSource: DataSource,
  ) {}

  private readonly logger = new Logger(BackupJobsService.name);
  private zone: { at: number; name: Promise<string> } | null = null;

  async list(): Promise<BackupJobDto[]> {
    const pve = this.proxmox.pve();
    let jobs: PveBackupJob[];
    let tasks: PveTaskListItem[];
    try {
      [jobs, tasks] = await Promise.all([pve.backupJobs(), pve.clusterTasks()]);
    } catch (error) {
      throw pveFailure(error);
    }
    const runs = await this.proxdeckRuns();
    const tagged = await this.tagMembers();
    const zone = await this.timeZone();
    return jobs
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((job) => this.toDto(job, tasks, runs.get(job.id) ?? null, tagged, zone));
  }

  /**
   * The time zone the nodes run schedules in (pvescheduler uses the node's local time): the first online node's,
   * read at most every 10 minutes; UTC when it cannot be read or names a zone this runtime does not know.
   */
  timeZone(): Promise<string> {
    if (this.zone && Date.now() - this.zone.at < ZONE_TTL_MS) return this.zone.name;
    const name = (async () => {
      try {
        const pve = this.proxmox.pve();
        const node = (await pve.nodes())
          .filter((n) => n.status === 'online')
          .sort((a, b) => a.node.localeCompare(b.node))[0];
        if (!node) return 'UTC';
        const { timezone } = await pve.nodeTime(node.node);
        if (isTimeZone(timezone)) return timezone;
        this.logger.warn(
          `node ${node.node} runs in time zone ${timezone}, unknown here: schedules shown in UTC`,
        );
      } catch (error) {
        this.logger.warn(
          `the nodes' time zone could not be read (${error instanceof Error ? error.message : String(error)}): schedules shown in UTC`,
        );
      }
      return 'UTC';
    })();
    this.zone = { at: Date.now(), name };
    return name;
  }

  async get(id: string): Promise<BackupJobDto> {
    const found = (await this.list()).find((job) => job.id === id);
    if (!found) throw new NotFoundError(`Backup job ${id}`);
    return found;
  }

  async preview(schedule: string): Promise<SchedulePreviewDto> {
    const error = calendarEventError(schedule);
    if (error !== undefined) throw new ValidationFailedError({ schedule: error });
    const zone = await this.timeZone();
    return {
      schedule,
      time_zone: zone,
      next_runs: nextCalendarEvents(schedule, new Date(), PREVIEW_RUNS, zone).map((date) =>
        date.toISOString(),
      ),
    };
  }

  async create(body: BackupJobBodyDto): Promise<BackupJobDto> {
    const params = await this.params(body);
    const id = `backup-${randomUUID().slice(0, 13)}`; // as Proxmox's GUI names them
    try {
      await this.proxmox.pve().createBackupJob({ id, ...params });
    } catch (error) {
      throw pveFailure(error);
    }
    return this.get(id);
  }

  async update(id: string, body: BackupJobBodyDto): Promise<BackupJobDto> {
    const existing = await this.find(id);
    const params = await this.params(body);
    const optional = ['vmid', 'pool', 'all', 'exclude', 'notes-template', 'prune-backups'] as const;
    const remove = optional.filter(
      (key) => existing[key] !== undefined && (params as Record<string, unknown>)[key] === undefined,
    );
    try {
      await this.proxmox.pve().updateBackupJob(id, {
        ...params,
        ...(remove.length > 0 ? { delete: remove.join(',') } : {}),
      });
    } catch (error) {
      throw pveFailure(error);
    }
    return this.get(id);
  }

  async remove(id: string): Promise<{ id: string }> {
    await this.find(id);
    try {
      await this.proxmox.pve().deleteBackupJob(id);
    } catch (error) {
      throw pveFailure(error);
    }
    return { id };
  }

  /** "Run now": a task running the job's vzdump on each node that holds its VMs, followed to the end. */
  async run(principal: Principal, id: string): Promise<TaskAccepted> {
    await this.find(id);
    const running = await this.dataSource
      .getRepository(Task)
      .createQueryBuilder('t')
      .where('t.type = :type', { type: 'backups.job-run' })
      .andWhere("t.payload ->> 'job' = :id", { id })
      .andWhere('t.status IN (:...unfinished)', { unfinished: ['queued', 'running'] })
      .getOne();
    if (running) throw new ConflictError(`Backup job ${id} is running`, { job: id, task_id: running.id });
    const task = await this.jobs.enqueue(
      'backups.job-run',
      { job: id },
      { createdBy: principal.user.id, items: [id] },
    );
    return new TaskAccepted(task.id, `Backup job ${id} started`);
  }

  async performRun(item: ItemContext, id: string): Promise<Record<string, JsonValue>> {
    const pve = this.proxmox.pve();
    let job = await this.find(id);
    const tag = TAG_COMMENT.exec(job.comment ?? '')?.[1];
    if (tag !== undefined) {
      const vmids = (await this.tagMembers()).get(tag) ?? [];
      if (vmids.length > 0 && vmids.join(',') !== listOf(job.vmid).join(',')) {
        await pve.updateBackupJob(id, { vmid: vmids.join(',') });
        job = await this.find(id);
      }
    }
    const resources = await pve.clusterResources('vm');
    const wanted = new Set(listOf(job.vmid));
    const byNode = new Map<string, number[]>();
    const vms = resources.filter((resource): resource is PveVmResource => resource.type === 'qemu');
    for (const resource of vms) {
      if (resource.template === 1) continue;
      const selected = job.pool !== undefined ? resource.pool === job.pool : wanted.has(resource.vmid);
      if (!selected) continue;
      byNode.set(resource.node, [...(byNode.get(resource.node) ?? []), resource.vmid]);
    }
    if (byNode.size === 0) throw new Error(`Backup job ${id} selects no VM`);
    const prune = job['prune-backups'];
    const retention = prune ? formatPruneBackups(prune) : '';
    const upids: string[] = [];
    for (const [node, vmids] of [...byNode].sort(([a], [b]) => a.localeCompare(b))) {
      try {
        const outcome = await item.pveTask(
          `vzdump-${node}`,
          async () => {
            const upid = await pve.vzdump(node, {
              vmid: vmids.sort((a, b) => a - b).join(','),
              ...(job.storage !== undefined ? { storage: job.storage } : {}),
              ...(job.mode !== undefined ? { mode: job.mode as 'snapshot' } : {}),
              ...(job.compress !== undefined ? { compress: job.compress as 'zstd' } : {}),
              ...(retention !== '' ? { 'prune-backups': retention } : {}),
              ...(job['notes-template'] !== undefined ? { 'notes-template': job['notes-template'] } : {}),
            });
            return upid.startsWith('UPID:') ? upid : ALREADY_DONE;
          },
          {
            resources: { node, ...(job.storage !== undefined ? { storages: [job.storage] } : {}) },
            log: true,
          },
        );
        if (outcome.upid !== null) upids.push(outcome.upid);
      } catch (error) {
        throw withVzdumpErrors(error);
      }
    }
    return { job: id, nodes: [...byNode.keys()], upids };
  }

  async notCovered(): Promise<NotCoveredServerDto[]> {
    let guests;
    try {
      guests = await this.proxmox.pve().notBackedUp();
    } catch (error) {
      throw pveFailure(error);
    }
    const names = new Map<number, string>();
    for (const server of await this.servers.all())
      if (server.vmid !== null && server.status !== 'deleting') names.set(server.vmid, server.name);
    return guests
      .filter((guest) => guest.type === 'qemu')
      .map((guest) => ({
        server_name: names.get(guest.vmid) ?? null,
        vmid: guest.vmid,
        vm_name: guest.name ?? null,
      }));
  }

  // ---- helpers --------------------------------------------------------------------------------------------

  private async find(id: string): Promise<PveBackupJob> {
    let jobs: PveBackupJob[];
    try {
      jobs = await this.proxmox.pve().backupJobs();
    } catch (error) {
      throw pveFailure(error);
    }
    const job = jobs.find((candidate) => candidate.id === id);
    if (!job) throw new NotFoundError(`Backup job ${id}`);
    return job;
  }

  /** The job's parameters for Proxmox, every field checked first (a 400 naming it). */
  private async params(body: BackupJobBodyDto) {
    const fields: Record<string, string> = {};
    const scheduleError = calendarEventError(body.schedule);
    if (scheduleError !== undefined) fields.schedule = scheduleError;
    const chosen = (['vmids', 'tag', 'pool'] as const).filter((key) => body.selection[key] !== undefined);
    if (chosen.length !== 1) fields.selection = 'give exactly one of vmids, tag, pool';
    const storage = await this.datastores.find(body.storage);
    if (!storage) fields.storage = `no storage ${body.storage}`;
    else if (!storage.content.includes('backup'))
      fields.storage = `${body.storage} does not hold backups (content: ${storage.content.join(', ')})`;
    let vmids: number[] | undefined;
    if (body.selection.tag !== undefined && chosen.length === 1) {
      vmids = (await this.tagMembers()).get(body.selection.tag) ?? [];
      if (vmids.length === 0) fields['selection.tag'] = `no server carries the tag ${body.selection.tag}`;
    } else if (body.selection.vmids !== undefined)
      vmids = [...new Set(body.selection.vmids)].sort((a, b) => a - b);
    if (Object.keys(fields).length > 0) throw new ValidationFailedError(fields);
    const retention = formatPruneBackups(pruneOf(body.prune));
    const compress = body.compress === undefined ? 'zstd' : body.compress === 'none' ? '0' : body.compress;
    return {
      schedule: body.schedule,
      enabled: body.enabled === false ? 0 : 1,
      storage: body.storage,
      mode: body.mode ?? 'snapshot',
      compress,
      ...(vmids !== undefined ? { vmid: vmids.join(',') } : {}),
      ...(body.selection.pool !== undefined ? { pool: body.selection.pool } : {}),
      ...(retention !== '' ? { 'prune-backups': retention } : {}),
      ...(body.notes_template !== undefined && body.notes_template !== ''
        ? { 'notes-template': body.notes_template }
        : {}),
      comment: body.selection.tag !== undefined ? `proxdeck:tag=${body.selection.tag}` : 'proxdeck',
    } as const;
  }

  /** The VMIDs of the servers carrying each tag (Proxdeck's inventory, synced from Proxmox's tags). */
  private async tagMembers(): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    for (const server of await this.servers.all()) {
      if (server.vmid === null || ['deleting', 'missing', 'failed'].includes(server.status)) continue;
      for (const tag of server.tags) out.set(tag, [...(out.get(tag) ?? []), server.vmid]);
    }
    for (const list of out.values()) list.sort((a, b) => a - b);
    return out;
  }

  /** The newest run started from Proxdeck of each job. */
  private async proxdeckRuns(): Promise<Map<string, Task>> {
    const tasks = await this.dataSource
      .getRepository(Task)
      .createQueryBuilder('t')
      .distinctOn(["t.payload ->> 'job'"])
      .where('t.type = :type', { type: 'backups.job-run' })
      .orderBy("t.payload ->> 'job'")
      .addOrderBy('t.created_at', 'DESC')
      .getMany();
    return new Map(tasks.map((task) => [String(task.payload.job), task]));
  }

  private toDto(
    job: PveBackupJob,
    tasks: readonly PveTaskListItem[],
    proxdeckRun: Task | null,
    tagged: Map<string, number[]>,
    zone: string,
  ): BackupJobDto {
    const tag = TAG_COMMENT.exec(job.comment ?? '')?.[1];
    const vmids = listOf(job.vmid);
    const selection: BackupJobSelectionDto =
      tag !== undefined ? { tag } : job.pool !== undefined ? { pool: job.pool } : { vmids };
    const enabled = job.enabled !== 0;
    let nextRuns: string[] = [];
    try {
      const spec = parseCalendarEvent(job.schedule);
      const from = job['next-run'] !== undefined ? new Date((job['next-run'] - 1) * 1000) : new Date();
      nextRuns = nextCalendarEvents(spec, from, PREVIEW_RUNS, zone).map((date) => date.toISOString());
    } catch {
      nextRuns = []; // a schedule this version does not understand: Proxmox's next-run still shows
    }
    const prune = job['prune-backups'] ?? {};
    return {
      id: job.id,
      schedule: job.schedule,
      enabled,
      selection,
      vmids,
      storage: job.storage ?? null,
      mode: job.mode ?? 'snapshot',
      compress: job.compress ?? '0',
      prune: {
        ...(prune['keep-last'] !== undefined ? { keep_last: prune['keep-last'] } : {}),
        ...(prune['keep-daily'] !== undefined ? { keep_daily: prune['keep-daily'] } : {}),
        ...(prune['keep-weekly'] !== undefined ? { keep_weekly: prune['keep-weekly'] } : {}),
        ...(prune['keep-monthly'] !== undefined ? { keep_monthly: prune['keep-monthly'] } : {}),
      },
      notes_template: job['notes-template'] ?? null,
      next_run:
        enabled && job['next-run'] !== undefined ? new Date(job['next-run'] * 1000).toISOString() : null,
      next_runs: enabled ? nextRuns : [],
      time_zone: zone,
      last_run: this.lastRun(job, vmids, tasks, proxdeckRun, zone),
      selection_stale: tag !== undefined && (tagged.get(tag) ?? []).join(',') !== vmids.join(','),
    };
  }

  /**
   * The newest run: a scheduled one (pvescheduler's vzdump tasks, as root@pam, starting within a minute and a
   * half after one of the job's scheduled times, of the job's VMs) or one started from Proxdeck.
   */
  private lastRun(
    job: PveBackupJob,
    vmids: readonly number[],
    tasks: readonly PveTaskListItem[],
    proxdeckRun: Task | null,
    zone: string,
  ): BackupJobLastRunDto | null {
    let spec;
    try {
      spec = parseCalendarEvent(job.schedule);
    } catch {
      spec = null;
    }
    const scheduled = spec
      ? tasks
          .filter((task) => {
            // pvescheduler runs as root@pam itself, never through an API token.
            if (task.type !== 'vzdump' || task.user !== 'root@pam' || task.tokenid !== undefined)
              return false;
            if (task.id !== '' && vmids.length > 0 && !vmids.includes(Number(task.id))) return false;
            const due = nextCalendarEvent(spec, new Date((task.starttime - SCHEDULER_SLACK_S) * 1000), zone);
            return due !== null && due.getTime() / 1000 <= task.starttime;
          })
          .sort((a, b) => b.starttime - a.starttime)
      : [];
    const newest = scheduled[0];
    const fromProxdeck: BackupJobLastRunDto | null = proxdeckRun
      ? {
          at: proxdeckRun.createdAt.toISOString(),
          status:
            proxdeckRun.status === 'completed'
              ? 'completed'
              : ['queued', 'running'].includes(proxdeckRun.status)
                ? 'running'
                : 'failed',
          task_id: proxdeckRun.id,
          upid: null,
          error: proxdeckRun.error ?? null,
        }
      : null;
    if (!newest) return fromProxdeck;
    // One run is a vzdump task per node, started together.
    const run = scheduled.filter((task) => newest.starttime - task.starttime < SCHEDULER_SLACK_S);
    const failed = run.find((task) => task.endtime !== undefined && !isTaskSuccess(task.status));
    const status = run.some((task) => task.endtime === undefined)
      ? 'running'
      : failed
        ? 'failed'
        : 'completed';
    const fromProxmox: BackupJobLastRunDto = {
      at: new Date(newest.starttime * 1000).toISOString(),
      status,
      task_id: null,
      upid: newest.upid,
      error: failed?.status ?? null,
    };
    // Proxmox counts whole seconds: within the same second, the scheduler's run is the later one.
    if (fromProxdeck && Math.floor(Date.parse(fromProxdeck.at) / 1000) > newest.starttime)
      return fromProxdeck;
    return fromProxmox;
  }
}
