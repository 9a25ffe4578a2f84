/**
 * IP pools (docs/api.md §3.3), for administrators: the pools with their usage, one pool's addresses, and
 * creating, changing and deleting pools. Every change refreshes the pools' queries.
 */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../lib/api';
import { queryKeys } from '../../lib/query-keys';

export type IpPool = Schemas['IpPoolDto'];
export type IpPoolDetail = Schemas['IpPoolDetailDto'];
export type IpPoolBody = Schemas['IpPoolBodyDto'];

export const ipPoolsQueryOptions = queryOptions({
  queryKey: queryKeys.ipPools.list(),
  queryFn: () => unwrap(api.GET('/api/ip_pools')),
});

export const ipPoolQueryOptions = (id: number) =>
  queryOptions({
    queryKey: queryKeys.ipPools.detail(id),
    queryFn: () => unwrap(api.GET('/api/ip_pools/{id}', { params: { path: { id: String(id) } } })),
  });

function useRefreshPools() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: queryKeys.ipPools.all });
}

/** Creates a pool (`id` null) or changes one. */
export function useSaveIpPool() {
  const refresh = useRefreshPools();
  return useMutation({
    mutationFn: ({ id, body }: { id: number | null; body: IpPoolBody }) =>
      id === null
        ? unwrap(api.POST('/api/ip_pools', { body }))
        : unwrap(api.PUT('/api/ip_pools/{id}', { params: { path: { id: String(id) } }, body })),
    onSuccess: refresh,
  });
}

/** Deletes a pool; the server refuses (409) while it holds addresses. */
export function useDeleteIpPool() {
  const refresh = useRefreshPools();
  return useMutation({
    mutationFn: (id: number) =>
      unwrap(api.DELETE('/api/ip_pools/{id}', { params: { path: { id: String(id) } } })),
    onSuccess: refresh,
  });
}

/** DNS servers as typed: separated by commas or spaces. */
export function parseDnsList(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
