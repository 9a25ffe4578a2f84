/** The signed-in user's API tokens (docs/api.md §11): list, create (the secret comes back once), revoke. */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../lib/api';
import { queryKeys } from '../../lib/query-keys';

export type ApiToken = Schemas['TokenDto'];
export type NewToken = Schemas['CreateTokenDto'];

/** The caller's tokens, or everyone's with their owners (`everyone`, for admin_access). */
export const tokensQueryOptions = (everyone: boolean) =>
  queryOptions({
    queryKey: everyone ? queryKeys.tokens.everyone() : queryKeys.tokens.own(),
    queryFn: () => unwrap(api.GET('/api/tokens', everyone ? { params: { query: { all: true } } } : {})),
  });

export function useCreateToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewToken) => unwrap(api.POST('/api/tokens', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.tokens.all }),
  });
}

export function useRevokeToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/tokens/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: queryKeys.tokens.all }),
  });
}
