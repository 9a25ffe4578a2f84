/**
 * Datastores (docs/api.md §5): the cached list with usage and the HDD/SSD defaults, re-reading Proxmox, and
 * choosing the defaults. The refresh and the defaults answer the whole list, which replaces the cached one.
 */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../lib/api';
import { queryKeys } from '../../lib/query-keys';

export type DatastoreList = Schemas['DatastoreListDto'];
export type Datastore = Schemas['DatastoreDto'];
export type DatastoreDefaults = Schemas['DatastoreDefaultsBodyDto'];

export const datastoresQueryOptions = queryOptions({
  queryKey: queryKeys.datastores.list(),
  queryFn: () => unwrap(api.GET('/api/datastores')),
});

function useReplaceList() {
  const queryClient = useQueryClient();
  return (list: DatastoreList) => {
    queryClient.setQueryData(queryKeys.datastores.list(), list);
  };
}

/** Reads the datastores from Proxmox again (manage_servers). */
export function useRefreshDatastores() {
  const replace = useReplaceList();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/datastores/refresh')),
    onSuccess: replace,
  });
}

/** Sets the HDD and SSD defaults (admin_access); the server checks both hold disk images. */
export function useSetDatastoreDefaults() {
  const replace = useReplaceList();
  return useMutation({
    mutationFn: (body: DatastoreDefaults) => unwrap(api.POST('/api/datastores/default', { body })),
    onSuccess: replace,
  });
}

/** The storage ids holding disk images, once each, in order: the choices for a default. */
export function imageDatastoreIds(datastores: readonly Datastore[]): string[] {
  return [...new Set(datastores.filter((row) => row.content.includes('images')).map((row) => row.id))].sort();
}
