/**
 * The server inventory (docs/api.md §3): the list with its filters, sort and pages, one server, its live status
 * read from Proxmox on demand, the cluster at a glance, sync and creation. The live stream (lib/sse.ts) patches
 * the cached servers on `server` events, so these queries poll only while the stream is down.
 */
import { keepPreviousData, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, toApiError, unwrap, type Schemas } from '../../lib/api';
import { queryKeys, type ServerListQuery, type ServerLogsQuery } from '../../lib/query-keys';

export type Server = Schemas['ServerDto'];
export type ServerStatus = Server['status'];
export type CreateServerBody = Schemas['CreateServerDto'];
export type BulkCreateServersBody = Schemas['BulkCreateServersDto'];
export type { ServerListQuery, ServerLogsQuery };
export type ServerSort = NonNullable<ServerListQuery['sort']>;

export const SERVER_STATUSES: readonly ServerStatus[] = [
  'creating',
  'running',
  'stopped',
  'paused',
  'deleting',
  'failed',
  'missing',
  'unknown',
];
/** Servers per page of the list. */
export const PAGE_SIZE = 25;
/** How often lists and figures are asked again while the live stream is not open. */
export const SERVERS_POLL_MS = 15_000;

/** A page of GET /api/servers as cached (lib/sse.ts patches `items` on server events). */
export interface ServerPage {
  items: Server[];
  pagination: { page: number; per_page: number; total: number; pages: number };
}

export async function fetchServerPage(query: ServerListQuery): Promise<ServerPage> {
  const { data, error, response } = await api.GET('/api/servers', { params: { query } });
  if (data === undefined) throw toApiError(error, response);
  return { items: data.data, pagination: data.pagination };
}

export const serverListQueryOptions = (query: ServerListQuery) =>
  queryOptions({
    queryKey: queryKeys.servers.list(query),
    queryFn: () => fetchServerPage(query),
    placeholderData: keepPreviousData,
  });

export const serverQueryOptions = (name: string) =>
  queryOptions({
    queryKey: queryKeys.servers.detail(name),
    queryFn: () => unwrap(api.GET('/api/servers/{name}', { params: { path: { name } } })),
  });

/** Read from Proxmox when asked: not refetched by itself. */
export const liveServerStatusQueryOptions = (name: string) =>
  queryOptions({
    queryKey: queryKeys.servers.liveStatus(name),
    queryFn: () => unwrap(api.GET('/api/server_status/{name}', { params: { path: { name } } })),
    staleTime: Infinity,
  });

export const clusterStatusQueryOptions = queryOptions({
  queryKey: queryKeys.servers.cluster(),
  queryFn: () => unwrap(api.GET('/api/all_server_status')),
});

// The queries of the features that own these data, used by the wizard and the sync button.
export { taskQueryOptions, type Task } from '../tasks/tasks.queries';
export { datastoresQueryOptions } from '../datastores/datastores.queries';
export { ipPoolsQueryOptions } from '../ip-pools/ip-pools.queries';

/** Compares the inventory with Proxmox now: a task. */
export function useSyncServers() {
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/sync_servers', { body: { import_unmanaged: false } })),
  });
}

/** Creates one server (POST /api/servers) or several (POST /api/create_servers_bulk): a task. */
export function useCreateServers() {
  return useMutation({
    mutationFn: (request: { single: CreateServerBody } | { bulk: BulkCreateServersBody }) =>
      'single' in request
        ? unwrap(api.POST('/api/servers', { body: request.single }))
        : unwrap(api.POST('/api/create_servers_bulk', { body: request.bulk })),
  });
}

export type CreationPreview = Schemas['CreationPreviewDto'];

/** Checks a creation and shows what it would make (POST /api/servers/preview); nothing is reserved. */
export function usePreviewCreation() {
  return useMutation({
    mutationFn: (request: { single: CreateServerBody } | { bulk: BulkCreateServersBody }) =>
      unwrap(
        api.POST('/api/servers/preview', {
          body: 'single' in request ? { servers: [request.single] } : request.bulk,
        }),
      ),
  });
}

// ---- A server's life after its creation (docs/api.md §3.2): power, configuration, disks, logs, bulk actions.

export type ServerConfig = Schemas['ServerConfigDto'];
export type ServerConfigUpdate = Schemas['UpdateServerConfigDto'];
export type ServerLogs = Schemas['ServerLogsDto'];
export type BulkActionBody = Schemas['BulkActionDto'];
export type BulkActionResult = Schemas['BulkActionResultDto'];
export type AddDiskBody = Schemas['AddDiskDto'];
export type DiskInterface = NonNullable<AddDiskBody['interface']>;
export const DISK_INTERFACES: readonly DiskInterface[] = ['scsi', 'virtio', 'sata'];

/** What a power button does. */
export type PowerAction = 'start' | 'stop' | 'reboot' | 'delete';
/** The options of a stop (`timeout_s`, `force`) or a reboot (`force`). */
export interface PowerOptions {
  force?: boolean;
  timeout_s?: number;
}

export const serverConfigQueryOptions = (name: string) =>
  queryOptions({
    queryKey: queryKeys.servers.config(name),
    queryFn: () => unwrap(api.GET('/api/server/config/{name}', { params: { path: { name } } })),
    // Read from Proxmox: not again at every focus; a change, an action's end or "reload" reads it again.
    staleTime: Infinity,
  });

export const serverLogsQueryOptions = (name: string, query: ServerLogsQuery) =>
  queryOptions({
    queryKey: queryKeys.servers.logs(name, query),
    queryFn: () => unwrap(api.GET('/api/server/logs/{name}', { params: { path: { name }, query } })),
    retry: false,
  });

/** Start, shut down, reboot or delete one server: a task (202). */
export function usePowerAction(name: string) {
  return useMutation({
    mutationFn: ({ action, options = {} }: { action: PowerAction; options?: PowerOptions }) => {
      const params = { path: { name } };
      switch (action) {
        case 'start':
          return unwrap(api.POST('/api/servers/{name}/start', { params }));
        case 'stop':
          return unwrap(api.POST('/api/servers/{name}/stop', { params, body: options }));
        case 'reboot':
          return unwrap(
            api.POST('/api/servers/{name}/reboot', { params, body: { force: options.force ?? false } }),
          );
        case 'delete':
          return unwrap(api.POST('/api/servers/{name}/delete', { params }));
      }
    },
  });
}

/** PUT /api/server/config/{name} with the digest read: the configuration as it is now (pending included). */
export function useUpdateServerConfig(name: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ServerConfigUpdate) =>
      unwrap(api.PUT('/api/server/config/{name}', { params: { path: { name } }, body })),
    onSuccess: (config) => {
      queryClient.setQueryData(queryKeys.servers.config(name), config);
      void queryClient.invalidateQueries({ queryKey: queryKeys.servers.detail(name) });
      void queryClient.invalidateQueries({ queryKey: queryKeys.servers.logsOf(name) });
    },
  });
}

/** Add, grow or remove a disk: each a task (202). */
export function useDiskChange(name: string) {
  return useMutation({
    mutationFn: (
      change:
        { add: AddDiskBody } | { grow: { device: string; size_gb: number } } | { remove: { device: string } },
    ) => {
      if ('add' in change)
        return unwrap(api.POST('/api/server/disk/{name}', { params: { path: { name } }, body: change.add }));
      if ('grow' in change)
        return unwrap(
          api.PUT('/api/server/disk/{name}/{device}', {
            params: { path: { name, device: change.grow.device } },
            body: { size_gb: change.grow.size_gb },
          }),
        );
      return unwrap(
        api.DELETE('/api/server/disk/{name}/{device}', {
          params: { path: { name, device: change.remove.device } },
        }),
      );
    },
  });
}

/** What POST /api/servers/bulk_action answered: the outcome (done within 30 s) or the task still running. */
export type BulkAnswer = { done: BulkActionResult } | { taskId: string };

/** POST /api/servers/bulk_action: 200 with the outcome when every server is done within 30 s, else 202. */
export function useBulkAction() {
  return useMutation({
    mutationFn: async (body: BulkActionBody): Promise<BulkAnswer> => {
      const { data, error, response } = await api.POST('/api/servers/bulk_action', { body });
      if (data === undefined) throw toApiError(error, response);
      const answer = data.data;
      return 'succeeded' in answer ? { done: answer } : { taskId: answer.task_id };
    },
  });
}
