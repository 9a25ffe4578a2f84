/**
 * Scheduled backup jobs (docs/pve-semantics.md §7.15): `/cluster/backup` (jobs.cfg's `vzdump:` sections),
 * `/cluster/backup-info/not-backed-up`, and pvescheduler, which runs each enabled job at the times of its
 * calendar-event `schedule` (vzdump on every node, as root@pam) and prunes by the job's `prune-backups`.
 */
import { randomUUID } from 'node:crypto';
import { nextCalendarEvent, parsePruneBackups, type PveParamValue } from '@proxdeck/pve-client';
import { ROOT_USER } from '../access/access-control';
import type { AuthInfo } from '../auth';
import { str, type RouteTable, type SimServices } from '../context';
import { paramError, pveDie } from '../http-error';
import type { SimBackupJob, SimVm } from '../state/model';
import { vzdump } from './backup';

/** Keys of a job that are not vzdump options. */
const JOB_ONLY = new Set(['id', 'schedule', 'enabled', 'comment', 'repeat-missed', 'type', 'node']);

function jobs(sim: SimServices): SimBackupJob[] {
  return (sim.state.data.backupJobs ??= []);
}

function findJob(sim: SimServices, id: string): SimBackupJob {
  const job = jobs(sim).find((candidate) => candidate.id === id);
  if (!job) throw pveDie(`job '${id}' not found`);
  return job;
}

/** VZDump.pm verify_vzdump_parameters(…, check_missing = 1). */
function verifySelection(options: Record<string, string>): void {
  if (options.vmid !== undefined) {
    for (const option of ['all', 'exclude', 'pool'] as const) {
      if (option === 'all' ? options.all === '1' : options[option] !== undefined)
        throw paramError({ [option]: "option conflicts with option 'vmid'" });
    }
  }
  if (options.all !== '1' && options.vmid === undefined && options.pool === undefined && !options.exclude)
    throw paramError({ vmid: 'property is missing' });
}

/** The legacy `starttime` + `dow` become a `schedule` (Backup.pm convert_to_schedule). */
function scheduleOf(params: Record<string, PveParamValue>): string | undefined {
  const schedule = str(params, 'schedule');
  if (schedule !== undefined) return schedule;
  const start = str(params, 'starttime');
  if (start === undefined) return undefined;
  return `${str(params, 'dow') ?? 'mon,tue,wed,thu,fri,sat,sun'} ${start}`;
}

function optionsOf(params: Record<string, PveParamValue>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(params)) {
    if (['id', 'delete', 'digest', 'starttime', 'dow', 'schedule'].includes(key)) continue;
    out[key] = String(value);
  }
  return out;
}

/**
 * The first time after the job's last run (or creation) that its schedule names on the nodes' wall clock;
 * epoch seconds.
 */
export function nextRun(job: SimBackupJob, timeZone: string): number | undefined {
  const next = nextCalendarEvent(job.schedule, new Date(job.lastRun * 1000), timeZone);
  return next === null ? undefined : Math.floor(next.getTime() / 1000);
}

function toAnswer(job: SimBackupJob, timeZone: string): Record<string, unknown> {
  const out: Record<string, unknown> = { id: job.id, type: 'vzdump', schedule: job.schedule };
  for (const [key, value] of Object.entries(job.options)) {
    if (key === 'prune-backups') out[key] = parsePruneBackups(value);
    else if (/^\d+$/.test(value) && ['all', 'enabled', 'protected', 'repeat-missed', 'remove'].includes(key))
      out[key] = Number(value);
    else out[key] = value;
  }
  out.enabled = job.options.enabled === '0' ? 0 : 1;
  const next = nextRun(job, timeZone);
  if (out.enabled === 1 && next !== undefined) out['next-run'] = next;
  return out;
}

/** Whether the enabled job backs this guest up (its `node` restriction, `all` minus `exclude`, `vmid`, `pool`). */
function selects(job: SimBackupJob, vm: SimVm): boolean {
  const o = job.options;
  if (o.node !== undefined && o.node !== vm.node) return false;
  const list = (text: string | undefined) =>
    (text ?? '')
      .split(/[,;\s]+/)
      .filter((x) => x !== '')
      .map(Number);
  if (o.vmid !== undefined) return list(o.vmid).includes(vm.vmid);
  if (o.all === '1' || o.exclude !== undefined) return !list(o.exclude).includes(vm.vmid);
  return false; // pools: the simulator has none, so a pool selects no guest
}

export function registerBackupJobRoutes(routes: RouteTable): void {
  routes.set('GET /cluster/backup', ({ sim, auth }) => {
    sim.auth.require(auth, '/', 'Sys.Audit');
    return jobs(sim).map((job) => toAnswer(job, sim.timeZone));
  });

  routes.set('GET /cluster/backup/{id}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Audit');
    const job = findJob(sim, String(params.id));
    const answer = toAnswer(job, sim.timeZone);
    delete answer['next-run'];
    return answer;
  });

  routes.set('POST /cluster/backup', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    const schedule = scheduleOf(params);
    if (schedule === undefined) throw paramError({ schedule: "neither 'starttime' nor 'schedule' were set" });
    const options = optionsOf(params);
    verifySelection(options);
    const id = str(params, 'id') ?? randomUUID();
    if (jobs(sim).some((job) => job.id === id)) throw pveDie(`Job '${id}' already exists`);
    if (options['prune-backups'] !== undefined && options.storage !== undefined)
      sim.auth.require(auth, `/storage/${options.storage}`, 'Datastore.Allocate');
    jobs(sim).push({ id, schedule, options, lastRun: Math.floor(sim.now() / 1000) });
    sim.persist();
    return null;
  });

  routes.set('PUT /cluster/backup/{id}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    const job = findJob(sim, String(params.id));
    const deleted = new Set((str(params, 'delete') ?? '').split(/[,;\s]+/).filter((k) => k !== ''));
    if (deleted.has('schedule')) throw paramError({ delete: 'unable to delete required option schedule' });
    const options = Object.fromEntries(
      Object.entries({ ...job.options, ...optionsOf(params) }).filter(([key]) => !deleted.has(key)),
    );
    // Switching the selection needs the other kind deleted, as Proxmox's GUI sends `delete` for it.
    verifySelection(options);
    const schedule = scheduleOf(params) ?? job.schedule;
    job.schedule = schedule;
    job.options = options;
    sim.persist();
    return null;
  });

  routes.set('DELETE /cluster/backup/{id}', ({ sim, auth, params }) => {
    sim.auth.require(auth, '/', 'Sys.Modify');
    const job = findJob(sim, String(params.id));
    sim.state.data.backupJobs = jobs(sim).filter((candidate) => candidate !== job);
    sim.persist();
    return null;
  });

  routes.set('GET /cluster/backup-info/not-backed-up', ({ sim, auth }) => {
    sim.auth.require(auth, '/', 'Sys.Audit');
    const enabled = jobs(sim).filter((job) => job.options.enabled !== '0');
    return sim.state.data.vms
      .filter((vm) => vm.config.template !== '1' && !enabled.some((job) => selects(job, vm)))
      .sort((a, b) => a.vmid - b.vmid)
      .map((vm) => ({ vmid: vm.vmid, type: 'qemu', ...(vm.config.name ? { name: vm.config.name } : {}) }));
  });
}

const ROOT: AuthInfo = { userid: ROOT_USER, upidUser: ROOT_USER, kind: 'ticket' };

/**
 * pvescheduler: runs every enabled job whose next run has come (once, however many runs were missed), on
 * every online node (its `node` option restricts that), as root@pam. Returns the UPIDs it started.
 */
export function runDueBackupJobs(sim: SimServices): string[] {
  const now = Math.floor(sim.now() / 1000);
  const upids: string[] = [];
  for (const job of jobs(sim)) {
    if (job.options.enabled === '0') continue;
    const next = nextRun(job, sim.timeZone);
    if (next === undefined || next > now) continue;
    job.lastRun = now;
    const params: Record<string, PveParamValue> = {};
    for (const [key, value] of Object.entries(job.options)) if (!JOB_ONLY.has(key)) params[key] = value;
    for (const node of sim.state.data.nodes) {
      if (!node.online || (job.options.node !== undefined && job.options.node !== node.name)) continue;
      try {
        const upid = vzdump({ sim, auth: ROOT, params: { ...params, node: node.name } });
        if (upid.startsWith('UPID:')) upids.push(upid);
      } catch {
        // A job whose storage is gone fails on that node only, as pvescheduler logs and goes on.
      }
    }
    sim.persist();
  }
  return upids;
}

/** pvescheduler checks once a minute; the simulator checks every minute × timeScale (real time). */
export const SCHEDULER_PERIOD_MS = 60_000;
