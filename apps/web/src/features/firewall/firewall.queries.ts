/**
 * The firewall (docs/api.md §7, §15): security groups and their rules, IP sets, aliases, the group on each
 * server and its drift. Proxmox is the authority: every change refreshes the firewall's queries, and changes to
 * servers refresh the servers' too.
 */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap, type Schemas } from '../../lib/api';
import { queryKeys } from '../../lib/query-keys';

export type GroupSummary = Schemas['GroupSummaryDto'];
export type Group = Schemas['GroupDto'];
export type Rule = Schemas['RuleDto'];
export type RuleBody = Schemas['RuleBodyDto'];
export type Ipset = Schemas['IpsetDto'];
export type Alias = Schemas['AliasDto'];
export type Drift = Schemas['DriftDto'];
export type ServerFirewall = Schemas['ServerFirewallDto'];

export const groupsQueryOptions = queryOptions({
  queryKey: queryKeys.firewall.groups(),
  queryFn: () => unwrap(api.GET('/api/firewall/groups')),
});

export const groupQueryOptions = (name: string) =>
  queryOptions({
    queryKey: queryKeys.firewall.group(name),
    queryFn: () =>
      unwrap(api.GET('/api/firewall/groups/{group_name}', { params: { path: { group_name: name } } })),
  });

export const ipsetsQueryOptions = queryOptions({
  queryKey: queryKeys.firewall.ipsets(),
  queryFn: () => unwrap(api.GET('/api/firewall/ipsets')),
});

export const aliasesQueryOptions = queryOptions({
  queryKey: queryKeys.firewall.aliases(),
  queryFn: () => unwrap(api.GET('/api/firewall/aliases')),
});

export const driftQueryOptions = queryOptions({
  queryKey: queryKeys.firewall.drift(),
  queryFn: () => unwrap(api.GET('/api/firewall/drift')),
});

export const serverFirewallQueryOptions = (name: string) =>
  queryOptions({
    queryKey: queryKeys.firewall.server(name),
    queryFn: () =>
      unwrap(api.GET('/api/firewall/servers/{server_name}', { params: { path: { server_name: name } } })),
  });

function useRefresh(servers = false) {
  const queryClient = useQueryClient();
  return async () => {
    await queryClient.invalidateQueries({ queryKey: queryKeys.firewall.all });
    if (servers) await queryClient.invalidateQueries({ queryKey: queryKeys.servers.all });
  };
}

/** Creates a group, or changes its comment; with `rename` (the old name) the answer is a task. */
export function useSaveGroup() {
  const refresh = useRefresh(true);
  return useMutation({
    mutationFn: (body: Schemas['SaveGroupDto']) => unwrap(api.POST('/api/firewall/groups', { body })),
    onSuccess: refresh,
  });
}

export function useDeleteGroup() {
  const refresh = useRefresh(true);
  return useMutation({
    mutationFn: ({ name, force }: { name: string; force: boolean }) =>
      unwrap(
        api.DELETE('/api/firewall/groups/{group_name}', {
          params: { path: { group_name: name }, query: force ? { force: 'true' } : {} },
        }),
      ),
    onSuccess: refresh,
  });
}

/** Adds, replaces (pos) or moves (pos and moveto) a rule, with the digest the group was read with. */
export function useSaveRule(group: string) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: RuleBody) =>
      unwrap(
        api.POST('/api/firewall/groups/{group_name}/rules', {
          params: { path: { group_name: group } },
          body,
        }),
      ),
    onSettled: refresh,
  });
}

export function useDeleteRule(group: string) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ pos, digest }: { pos: number; digest: string }) =>
      unwrap(
        api.DELETE('/api/firewall/groups/{group_name}/rules/{rule_id}', {
          params: { path: { group_name: group, rule_id: String(pos) }, query: { digest } },
        }),
      ),
    onSettled: refresh,
  });
}

export function useApplyGroup() {
  const refresh = useRefresh(true);
  return useMutation({
    mutationFn: ({ server, group }: { server: string; group: string }) =>
      unwrap(
        api.POST('/api/apply_security_group/{server_name}', {
          params: { path: { server_name: server } },
          body: { security_group: group },
        }),
      ),
    onSuccess: refresh,
  });
}

export function useRemoveGroup() {
  const refresh = useRefresh(true);
  return useMutation({
    mutationFn: (server: string) =>
      unwrap(
        api.POST('/api/remove_firewall_group/{server_name}', { params: { path: { server_name: server } } }),
      ),
    onSuccess: refresh,
  });
}

export function useReapplyGroup() {
  const refresh = useRefresh(true);
  return useMutation({
    mutationFn: (server: string) =>
      unwrap(api.POST('/api/firewall/reapply/{server_name}', { params: { path: { server_name: server } } })),
    onSuccess: refresh,
  });
}

/** One task with an item per server; `none` removes the group Proxdeck attached. */
export function useAssignBulk() {
  const refresh = useRefresh(true);
  return useMutation({
    mutationFn: (body: Schemas['AssignBulkDto']) => unwrap(api.POST('/api/firewall/assign_bulk', { body })),
    onSuccess: refresh,
  });
}

export function useCreateIpset() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: Schemas['SaveIpsetDto']) => unwrap(api.POST('/api/firewall/ipsets', { body })),
    onSuccess: refresh,
  });
}

export function useDeleteIpset() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (name: string) =>
      unwrap(api.DELETE('/api/firewall/ipsets/{name}', { params: { path: { name } } })),
    onSuccess: refresh,
  });
}

export function useAddIpsetEntry() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ name, body }: { name: string; body: Schemas['IpsetEntryBodyDto'] }) =>
      unwrap(api.POST('/api/firewall/ipsets/{name}/entries', { params: { path: { name } }, body })),
    onSuccess: refresh,
  });
}

export function useDeleteIpsetEntry() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ name, cidr }: { name: string; cidr: string }) =>
      unwrap(api.DELETE('/api/firewall/ipsets/{name}/entries/{cidr}', { params: { path: { name, cidr } } })),
    onSuccess: refresh,
  });
}

/** Creates an alias (`current` null) or changes one. */
export function useSaveAlias() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: ({ current, body }: { current: string | null; body: Schemas['SaveAliasDto'] }) =>
      current === null
        ? unwrap(api.POST('/api/firewall/aliases', { body }))
        : unwrap(api.PUT('/api/firewall/aliases/{name}', { params: { path: { name: current } }, body })),
    onSuccess: refresh,
  });
}

export function useDeleteAlias() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (name: string) =>
      unwrap(api.DELETE('/api/firewall/aliases/{name}', { params: { path: { name } } })),
    onSuccess: refresh,
  });
}
