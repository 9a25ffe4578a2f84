/**
 * Administration (docs/api.md §11): users, IAM and the audit trail, for holders of admin_access. Every change
 * to a user refreshes the whole administration domain (the lists, IAM and the audit trail all show it).
 */
import { keepPreviousData, queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, toApiError, unwrap, type Schemas } from '../../lib/api';
import { queryKeys, type AuditListQuery, type UserListQuery } from '../../lib/query-keys';

export type AdminUser = Schemas['UserDto'];
export type NewUser = Schemas['CreateUserDto'];
export type IamData = Schemas['IamDataDto'];
export type AuditEntry = Schemas['AuditEntryDto'];

export const usersQueryOptions = (query: UserListQuery) =>
  queryOptions({
    queryKey: queryKeys.admin.users(query),
    queryFn: async () => {
      const { data, error, response } = await api.GET('/api/users', { params: { query } });
      if (data === undefined) throw toApiError(error, response);
      return { users: data.data, pagination: data.pagination };
    },
    placeholderData: keepPreviousData,
  });

export const iamQueryOptions = queryOptions({
  queryKey: queryKeys.admin.iam(),
  queryFn: () => unwrap(api.GET('/api/iam/data')),
});

export const auditQueryOptions = (query: AuditListQuery) =>
  queryOptions({
    queryKey: queryKeys.admin.audit(query),
    queryFn: async () => {
      const { data, error, response } = await api.GET('/api/audit', { params: { query } });
      if (data === undefined) throw toApiError(error, response);
      return { entries: data.data, pagination: data.pagination };
    },
    placeholderData: keepPreviousData,
  });

function useRefreshAdmin() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: queryKeys.admin.all });
}

export function useCreateUser() {
  const refresh = useRefreshAdmin();
  return useMutation({
    mutationFn: (body: NewUser) => unwrap(api.POST('/api/users', { body })),
    onSuccess: refresh,
  });
}

const path = (username: string) => ({ params: { path: { username } } });

/** Deletes, deactivates or activates a user. */
export function useUserAction() {
  const refresh = useRefreshAdmin();
  return useMutation({
    mutationFn: ({ action, username }: { action: 'delete' | 'deactivate' | 'activate'; username: string }) =>
      action === 'delete'
        ? unwrap(api.DELETE('/api/users/{username}', path(username)))
        : action === 'deactivate'
          ? unwrap(api.POST('/api/users/{username}/deactivate', path(username)))
          : unwrap(api.POST('/api/users/{username}/activate', path(username))),
    onSuccess: refresh,
  });
}

export function useResetPassword() {
  const refresh = useRefreshAdmin();
  return useMutation({
    mutationFn: ({ username, password }: { username: string; password: string }) =>
      unwrap(
        api.POST('/api/users/{username}/password', { ...path(username), body: { new_password: password } }),
      ),
    onSuccess: refresh,
  });
}

/** Sets a user's role (with the role's permissions) or their permissions. */
export function useSetAccess() {
  const refresh = useRefreshAdmin();
  return useMutation({
    mutationFn: (
      change:
        | { kind: 'role'; username: string; role: AdminUser['role'] }
        | { kind: 'permissions'; username: string; permissions: AdminUser['permissions'] },
    ) =>
      change.kind === 'role'
        ? unwrap(
            api.POST('/api/iam/{username}/role', { ...path(change.username), body: { role: change.role } }),
          )
        : unwrap(
            api.POST('/api/iam/{username}/permissions', {
              ...path(change.username),
              body: { permissions: change.permissions },
            }),
          ),
    onSuccess: refresh,
  });
}

/** The CSV export's address for these filters (a plain link: the browser downloads it with the cookie). */
export function auditExportHref(query: AuditListQuery): string {
  const params = new URLSearchParams();
  const { page: _page, per_page: _perPage, ...filters } = query;
  for (const [key, value] of Object.entries(filters)) params.set(key, value);
  const text = params.toString();
  return `/api/audit/export${text ? `?${text}` : ''}`;
}
