/**
 * Backups (docs/api.md §8, §15): the archives of the cluster, a node or a server; running, restoring, protecting
 * and deleting them; Proxmox backup jobs with their next runs and last results, and the servers no job covers.
 * A finished task refreshes these queries through the live event stream (lib/sse.ts).
 */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../lib/api';
import { queryKeys } from '../../lib/query-keys';

export type Backup = Schemas['BackupDto'];
export type BackupOverview = Schemas['BackupOverviewDto'];
export type RunBackupBody = Schemas['RunBackupDto'];
export type RestoreBackupBody = Schemas['RestoreBackupDto'];
export type BackupJob = Schemas['BackupJobDto'];
export type BackupJobBody = Schemas['BackupJobBodyDto'];
export type NotCoveredServer = Schemas['NotCoveredServerDto'];

export const backupOverviewQueryOptions = queryOptions({
  queryKey: queryKeys.backups.overview(),
  queryFn: () => unwrap(api.GET('/api/backups/nodes')),
});

export const serverBackupsQueryOptions = (name: string) =>
  queryOptions({
    queryKey: queryKeys.backups.server(name),
    queryFn: () =>
      unwrap(api.GET('/api/server/backups/{server_name}', { params: { path: { server_name: name } } })),
  });

export const backupJobsQueryOptions = queryOptions({
  queryKey: queryKeys.backups.jobs(),
  queryFn: () => unwrap(api.GET('/api/backups/jobs')),
});

export const notCoveredQueryOptions = queryOptions({
  queryKey: queryKeys.backups.notCovered(),
  queryFn: () => unwrap(api.GET('/api/backups/not-covered')),
});

/** The next runs of a schedule as the server computes them; an invalid schedule fails with the field's message. */
export const schedulePreviewQueryOptions = (schedule: string) =>
  queryOptions({
    queryKey: queryKeys.backups.preview(schedule),
    queryFn: () => unwrap(api.GET('/api/backups/jobs/preview', { params: { query: { schedule } } })),
    enabled: schedule.trim() !== '',
    retry: false,
    staleTime: 30_000,
  });

function useRefreshBackups() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: queryKeys.backups.all });
}

/** Backs a server up: a task (202) following vzdump to its end. */
export function useRunBackup() {
  return useMutation({
    mutationFn: ({ server, body }: { server: string; body: RunBackupBody }) =>
      unwrap(
        api.POST('/api/server/backup/{server_name}', { params: { path: { server_name: server } }, body }),
      ),
  });
}

/** Restores an archive into a new server (`name`) or over its original VM (`overwrite: true`): a task. */
export function useRestoreBackup() {
  return useMutation({
    mutationFn: (body: RestoreBackupBody) => unwrap(api.POST('/api/backups/restore', { body })),
  });
}

export function useDeleteBackup() {
  const refresh = useRefreshBackups();
  return useMutation({
    mutationFn: (backup: Pick<Backup, 'node' | 'volid'>) =>
      unwrap(api.POST('/api/backups/delete', { body: { node: backup.node, volid: backup.volid } })),
    onSuccess: refresh,
  });
}

export function useProtectBackup() {
  const refresh = useRefreshBackups();
  return useMutation({
    mutationFn: (body: { node: string; volid: string; protected: boolean; notes?: string }) =>
      unwrap(api.POST('/api/backups/protect', { body })),
    onSuccess: refresh,
  });
}

/** Creates a job (`id` null) or replaces one's settings. */
export function useSaveBackupJob() {
  const refresh = useRefreshBackups();
  return useMutation({
    mutationFn: ({ id, body }: { id: string | null; body: BackupJobBody }) =>
      id === null
        ? unwrap(api.POST('/api/backups/jobs', { body }))
        : unwrap(api.PUT('/api/backups/jobs/{id}', { params: { path: { id } }, body })),
    onSuccess: refresh,
  });
}

export function useDeleteBackupJob() {
  const refresh = useRefreshBackups();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/backups/jobs/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
  });
}

/** "Run now": a task running the job's vzdump on each node. */
export function useRunBackupJob() {
  return useMutation({
    mutationFn: (id: string) => unwrap(api.POST('/api/backups/jobs/{id}/run', { params: { path: { id } } })),
  });
}

/** A job's settings as the form edits them (the body the API takes). */
export function jobBody(job: BackupJob): BackupJobBody {
  return {
    schedule: job.schedule,
    enabled: job.enabled,
    selection: job.selection,
    storage: job.storage ?? '',
    mode: job.mode as BackupJobBody['mode'],
    compress: (job.compress === '0' ? 'none' : job.compress) as BackupJobBody['compress'],
    prune: job.prune,
    ...(job.notes_template !== null ? { notes_template: job.notes_template } : {}),
  };
}
