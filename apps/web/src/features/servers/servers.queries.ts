/**
 * The server inventory (docs/api.md §3): the list with its filters, sort and pages, one server, its live status
 * read from Proxmox on demand, the cluster at a glance, sync and creation. The live stream (lib/sse.ts) patches
 * the cached servers on `server` events, so these queries poll only while the stream is down.
 */
import { keepPreviousData, queryOptions, useMutation } from '@tanstack/react-query';
import { api, toApiError, unwrap, type Schemas } from '../../lib/api';
import { queryKeys, type ServerListQuery } from '../../lib/query-keys';

export type Server = Schemas['ServerDto'];
export type ServerStatus = Server['status'];
export type CreateServerBody = Schemas['CreateServerDto'];
export type BulkCreateServersBody = Schemas['BulkCreateServersDto'];
export type { ServerListQuery };
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
