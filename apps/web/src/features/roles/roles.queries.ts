/**
 * Ansible roles (docs/api.md §6, §15): the catalogue the project ships, assigning, removing and dry runs (each a
 * task whose output is kept as a run), and the history of runs with their logs. A run's output arrives live as
 * `role_run` events (lib/sse.ts appends it to the cached run and refreshes the history when a run ends).
 */
import { keepPreviousData, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, toApiError, unwrap, type Schemas } from '../../lib/api';
import { queryKeys, type RoleRunListQuery } from '../../lib/query-keys';

export { applyRoleRunEvent, logLines } from '../../lib/sse';

export type Role = Schemas['RoleDto'];
export type RoleVariable = Schemas['RoleVariableDto'];
export type RoleRun = Schemas['RoleRunDto'];
export type { RoleRunListQuery };
/** What a run does: apply the role, run its removal tasks, or show what applying would change. */
export type RoleRunAction = 'apply' | 'remove' | 'dry_run';
/** Variables as the form holds them, by name. */
export type RoleVariables = Record<string, unknown>;

/** Runs per page of the history. */
export const RUNS_PAGE_SIZE = 20;

export const rolesQueryOptions = queryOptions({
  queryKey: queryKeys.roles.available(),
  queryFn: () => unwrap(api.GET('/api/roles/available')),
  staleTime: 60_000,
});

export const roleValidationQueryOptions = (name: string) =>
  queryOptions({
    queryKey: queryKeys.roles.validation(name),
    queryFn: () =>
      unwrap(api.GET('/api/roles/validate/{role_name}', { params: { path: { role_name: name } } })),
  });

/** A page of GET /api/roles/runs. */
export interface RoleRunPage {
  items: RoleRun[];
  pagination: { page: number; per_page: number; total: number; pages: number };
}

export const roleRunsQueryOptions = (query: RoleRunListQuery) =>
  queryOptions({
    queryKey: queryKeys.roles.runs(query),
    queryFn: async (): Promise<RoleRunPage> => {
      const { data, error, response } = await api.GET('/api/roles/runs', { params: { query } });
      if (data === undefined) throw toApiError(error, response);
      return { items: data.data, pagination: data.pagination };
    },
    placeholderData: keepPreviousData,
  });

export const roleRunQueryOptions = (id: number) =>
  queryOptions({
    queryKey: queryKeys.roles.run(id),
    queryFn: () => unwrap(api.GET('/api/roles/runs/{run_id}', { params: { path: { run_id: id } } })),
  });

/** POST /api/assign_role, /api/roles/dry_run or /api/remove_role on one server: the task's id. */
export function useRunRole(server: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({
      action,
      role,
      variables,
      replace,
    }: {
      action: RoleRunAction;
      role: string;
      variables?: RoleVariables;
      /** An apply first removes the server's other role. */
      replace?: boolean;
    }): Promise<string> => {
      const path = { params: { path: { server_name: server } } };
      const body = { role, ...(variables && Object.keys(variables).length > 0 ? { variables } : {}) };
      const accepted =
        action === 'remove'
          ? await unwrap(api.POST('/api/remove_role/{server_name}', path))
          : action === 'dry_run'
            ? await unwrap(api.POST('/api/roles/dry_run/{server_name}', { ...path, body }))
            : await unwrap(
                api.POST('/api/assign_role/{server_name}', {
                  ...path,
                  body: { ...body, ...(replace ? { replace: true } : {}) },
                }),
              );
      return accepted.task_id;
    },
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.roles.runLists() });
    },
  });
}

/** POST /api/roles/assign_bulk: one task with an item per server; its id. */
export function useAssignRoleBulk() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: {
      server_names: string[];
      role: string;
      variables?: RoleVariables;
      replace?: boolean;
    }) => (await unwrap(api.POST('/api/roles/assign_bulk', { body }))).task_id,
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: queryKeys.roles.runLists() });
    },
  });
}
