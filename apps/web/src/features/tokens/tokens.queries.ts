/** The signed-in user's API tokens (docs/api.md §11): list, create (the secret comes back once), revoke. */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../lib/api';
import { queryKeys } from '../../lib/query-keys';

export type ApiToken = Schemas['TokenDto'];
export type NewToken = Schemas['CreateTokenDto'];

export const ownTokensQueryOptions = queryOptions({
  queryKey: queryKeys.tokens.own(),
  queryFn: () => unwrap(api.GET('/api/tokens')),
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
