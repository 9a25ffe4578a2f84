import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../lib/api';
import { queryKeys } from '../../lib/query-keys';

export type CleanupCandidate = Schemas['CleanupCandidateDto'];

export const cleanupCandidatesQueryOptions = queryOptions({
  queryKey: queryKeys.cleanup.candidates(),
  queryFn: () => unwrap(api.GET('/api/cleanup/failed-servers')),
});

/** POST /api/cleanup/bulk-clean: one task, an item per server. */
export function useCleanServers() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (names: string[]) =>
      unwrap(api.POST('/api/cleanup/bulk-clean', { body: { server_names: names } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.cleanup.all });
      void queryClient.invalidateQueries({ queryKey: queryKeys.tasks.lists() });
    },
  });
}
