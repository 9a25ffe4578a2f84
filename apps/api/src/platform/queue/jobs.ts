import type { PlannedServer, ServerActionPayload, ServerDiskPayload } from '@proxdeck/contracts';
import { job, type JobTypeOf, type PayloadOf } from './job-table';

/** A backup of one server (modules/backups): the choices only; the VM is located afresh in the job. */
export interface BackupRunPayload {
  server: string;
  storage: string;
  mode: 'snapshot' | 'suspend' | 'stop';
  compress: '0' | 'gzip' | 'lzo' | 'zstd';
  notes: string | null;
  protected: boolean;
}

/**
 * A restore of a vzdump archive (modules/backups): over the VM it came from (`overwrite`, which must be stopped)
 * or into a new VM for the new server `server` (`new`).
 */
export interface BackupRestorePayload {
  target: 'overwrite' | 'new';
  server: string;
  node: string;
  volid: string;
  /** The VM overwritten; null for a new VM (its VMID is reserved by the job). */
  vmid: number | null;
  storage: string | null;
}

/**
 * A role run on servers (modules/roles): apply, remove or dry-run, one item per server. Secret variables are
 * not here: they wait apart (by task and server) and are named only.
 */
export interface RoleRunPayload {
  action: 'apply' | 'remove' | 'dry_run';
  /** Null for a removal: each server's current role is removed. */
  role: string | null;
  servers: string[];
  variables: Record<string, string | number | boolean | (string | number | boolean)[]>;
  secret_names: string[];
  /** For an apply: first remove the role each server has, when it is another one. */
  replace?: boolean;
}

/**
 * The application's one table of jobs: every task type, its queue, its retry policy and its payload. Adding a
 * job type touches this table and the module that handles it (one @JobHandler, checked at boot). Payloads
 * hold ids and choices, never secrets: they are stored with the task.
 */
export const JOBS = {
  'test.simple': job<{ echo: string; duration_ms: number }>({
    queue: 'system',
    attempts: 2,
    backoffMs: 500,
    timeoutMs: 120_000,
  }),
  'test.error': job<{ message: string; duration_ms: number }>({
    queue: 'system',
    attempts: 1,
    backoffMs: 0,
    timeoutMs: 60_000,
  }),
  'servers.create': job<{ servers: PlannedServer[] }>({
    queue: 'servers',
    attempts: 3,
    backoffMs: 5_000,
    timeoutMs: 3_600_000,
    retryableBy: 'create_server',
    cancellableBy: 'manage_servers',
  }),
  'servers.cleanup': job<{ servers: string[] }>({
    queue: 'servers',
    attempts: 2,
    backoffMs: 5_000,
    timeoutMs: 1_800_000,
    retryableBy: 'manage_servers',
    cancellableBy: 'manage_servers',
  }),
  'servers.action': job<ServerActionPayload>({
    queue: 'servers',
    attempts: 3,
    backoffMs: 2_000,
    timeoutMs: 3_600_000,
    retryableBy: 'manage_servers',
    cancellableBy: 'manage_servers',
  }),
  'servers.disk': job<ServerDiskPayload>({
    queue: 'servers',
    attempts: 3,
    backoffMs: 2_000,
    timeoutMs: 1_800_000,
    retryableBy: 'manage_servers',
  }),
  'firewall.assign': job<{ group: string | null; servers: string[] }>({
    queue: 'firewall',
    attempts: 3,
    backoffMs: 2_000,
    timeoutMs: 1_800_000,
    retryableBy: 'manage_firewall',
    cancellableBy: 'manage_firewall',
  }),
  'firewall.rename': job<{ from: string; to: string; comment: string | null }>({
    queue: 'firewall',
    attempts: 3,
    backoffMs: 2_000,
    timeoutMs: 1_800_000,
    retryableBy: 'manage_firewall',
  }),
  'backups.run': job<BackupRunPayload>({
    queue: 'backups',
    attempts: 2,
    backoffMs: 5_000,
    timeoutMs: 6 * 3_600_000,
    retryableBy: 'manage_backups',
  }),
  'backups.restore': job<BackupRestorePayload>({
    queue: 'backups',
    attempts: 2,
    backoffMs: 5_000,
    timeoutMs: 6 * 3_600_000,
    retryableBy: 'manage_backups',
  }),
  'backups.job-run': job<{ job: string }>({
    queue: 'backups',
    attempts: 1,
    backoffMs: 5_000,
    timeoutMs: 12 * 3_600_000,
    retryableBy: 'manage_backups',
  }),
  'roles.run': job<RoleRunPayload>({
    queue: 'roles',
    attempts: 1,
    backoffMs: 0,
    timeoutMs: 6 * 3_600_000,
    retryableBy: 'assign_roles',
    cancellableBy: 'assign_roles',
  }),
  'servers.sync': job<{ import_unmanaged: boolean }>({
    queue: 'servers',
    attempts: 2,
    backoffMs: 2_000,
    timeoutMs: 300_000,
  }),
};

export type AppJobs = typeof JOBS;
export type JobType = JobTypeOf<AppJobs>;
export type JobPayload<T extends JobType> = PayloadOf<AppJobs, T>;

export const JOB_TYPES = Object.keys(JOBS) as JobType[];
