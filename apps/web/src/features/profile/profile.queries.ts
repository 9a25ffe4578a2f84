/** The signed-in user's profile and own sessions, and the password change (docs/api.md §2). */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../lib/api';
import { queryKeys } from '../../lib/query-keys';

export type Profile = Schemas['ProfileDto'];
export type OwnSession = Schemas['SessionSummaryDto'];
export type ChangePasswordInput = Schemas['ChangePasswordDto'];

export const profileQueryOptions = queryOptions({
  queryKey: queryKeys.profile.all,
  queryFn: () => unwrap(api.GET('/api/profile')),
});

export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: ChangePasswordInput) => unwrap(api.POST('/change-password', { body: input })),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: queryKeys.profile.all }),
        queryClient.invalidateQueries({ queryKey: queryKeys.session.all }),
      ]);
    },
  });
}
