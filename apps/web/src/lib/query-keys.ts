/**
 * Every TanStack Query key of the SPA, built in this one place so that a query and the invalidations that
 * refresh it (after a mutation, or on an SSE event) cannot drift apart.
 *
 * One entry per API domain. `all` is the domain's root: every other key of the domain starts with it, so
 * `invalidateQueries({ queryKey: queryKeys.tasks.all })` refreshes every task list and every task, while
 * `queryKeys.tasks.detail(id)` names one task. The other keys are functions, with the parameters that make
 * the query distinct (an id, the list's filters typed by the generated API client).
 */
import type { QueryKey } from '@tanstack/react-query';
import type { operations } from '@proxdeck/api-client';

/** The filters of GET /api/tasks/status, as the OpenAPI document types them. */
export type TaskListQuery = NonNullable<operations['Tasks_list']['parameters']['query']>;

/** The filters and page of GET /api/notifications, as the OpenAPI document types them. */
export type NotificationListQuery = NonNullable<operations['Notifications_list']['parameters']['query']>;

/** The filters, sort and page of GET /api/servers, as the OpenAPI document types them. */
export type ServerListQuery = NonNullable<operations['Servers_list']['parameters']['query']>;

/** The type and guest path of GET /api/server/logs/{name}, as the OpenAPI document types them. */
export type ServerLogsQuery = Pick<
  NonNullable<operations['ServerOperations_readLogs']['parameters']['query']>,
  'type' | 'path'
>;

/** The filters and page of GET /api/users, as the OpenAPI document types them. */
export type UserListQuery = NonNullable<operations['UsersAdmin_list[0]']['parameters']['query']>;

/** The filters and page of GET /api/audit, as the OpenAPI document types them. */
export type AuditListQuery = NonNullable<operations['Audit_list']['parameters']['query']>;

/** The status filter and page of GET /api/alerts, as the OpenAPI document types them. */
export type AlertListQuery = NonNullable<operations['Alerts_list']['parameters']['query']>;

/** The filters and page of GET /api/roles/runs, as the OpenAPI document types them. */
export type RoleRunListQuery = NonNullable<operations['Roles_runs']['parameters']['query']>;

/** The timeframe of GET /api/servers/{server_ip}/metrics, as the OpenAPI document types it. */
export type MetricsSource = NonNullable<
  NonNullable<operations['Monitoring_metrics']['parameters']['query']>['source']
>;
export type MetricsTimeframe = NonNullable<
  NonNullable<operations['Monitoring_metrics']['parameters']['query']>['timeframe']
>;

/** A domain's keys: its root `all`, and keys (or functions making keys) below it. */
interface KeyDomain {
  readonly all: QueryKey;
  readonly [name: string]: QueryKey | ((...args: never[]) => QueryKey);
}

const session = ['session'] as const;
const profile = ['profile'] as const;
const health = ['health'] as const;
const tasks = ['tasks'] as const;
const notifications = ['notifications'] as const;
const servers = ['servers'] as const;
const cleanup = ['cleanup'] as const;
const datastores = ['datastores'] as const;
const ipPools = ['ip-pools'] as const;
const firewall = ['firewall'] as const;
const admin = ['admin'] as const;
const tokens = ['tokens'] as const;
const alerts = ['alerts'] as const;
const monitoring = ['monitoring'] as const;
const backups = ['backups'] as const;
const roles = ['roles'] as const;

export const queryKeys = {
  /** Backups (docs/api.md §8, §15): archives, backup jobs, coverage. */
  backups: {
    all: backups,
    /** GET /api/backups/nodes (every node) or /api/backups/nodes/{node}. */
    overview: (node: string | null = null) => [...backups, 'overview', node] as const,
    /** GET /api/server/backups/{server_name} */
    server: (name: string) => [...backups, 'server', name] as const,
    /** GET /api/backups/jobs */
    jobs: () => [...backups, 'jobs'] as const,
    /** GET /api/backups/jobs/preview */
    preview: (schedule: string) => [...backups, 'preview', schedule] as const,
    /** GET /api/backups/not-covered */
    notCovered: () => [...backups, 'not-covered'] as const,
  },
  /** Who is signed in (GET /api/session/check): the one key kept when the session ends. */
  session: { all: session },
  /** The signed-in user's profile and own sessions (GET /api/profile). */
  profile: { all: profile },
  health: {
    all: health,
    /** GET /api/health/ready */
    ready: () => [...health, 'ready'] as const,
  },
  tasks: {
    all: tasks,
    /** Every list of tasks, whatever its filters. */
    lists: () => [...tasks, 'list'] as const,
    /** GET /api/tasks/status with these filters. */
    list: (query: TaskListQuery = {}) => [...tasks, 'list', query] as const,
    /** Every single task. */
    details: () => [...tasks, 'detail'] as const,
    /** GET /api/tasks/{task_id}/status */
    detail: (taskId: string) => [...tasks, 'detail', taskId] as const,
    /** GET /api/tasks/config */
    config: () => [...tasks, 'config'] as const,
  },
  /** The signed-in user's notifications: each user has their own read and hidden state. */
  notifications: {
    all: notifications,
    /** Every page of the list, whatever its filters. */
    lists: () => [...notifications, 'list'] as const,
    /** GET /api/notifications with these filters and this page. */
    list: (query: NotificationListQuery = {}) => [...notifications, 'list', query] as const,
    /** Every "latest" list, whatever its length. */
    latests: () => [...notifications, 'latest'] as const,
    /** GET /api/notifications/latest?limit= */
    latest: (limit: number) => [...notifications, 'latest', limit] as const,
    /** GET /api/notifications/unread-count */
    unreadCount: () => [...notifications, 'unread-count'] as const,
  },
  /** The server inventory (docs/api.md §3). */
  /** What cleanup can remove (docs/api.md §12). */
  cleanup: {
    all: cleanup,
    /** GET /api/cleanup/failed-servers */
    candidates: () => [...cleanup, 'candidates'] as const,
  },
  servers: {
    all: servers,
    /** Every page of the list, whatever its filters. */
    lists: () => [...servers, 'list'] as const,
    /** GET /api/servers with these filters, this sort and this page. */
    list: (query: ServerListQuery = {}) => [...servers, 'list', query] as const,
    /** Every single server. */
    details: () => [...servers, 'detail'] as const,
    /** GET /api/servers/{name} */
    detail: (name: string) => [...servers, 'detail', name] as const,
    /** GET /api/server_status/{name}: read from Proxmox on demand. */
    liveStatus: (name: string) => [...servers, 'live-status', name] as const,
    /** GET /api/all_server_status: every server and the nodes' figures. */
    cluster: () => [...servers, 'cluster'] as const,
    /** GET /api/server/config/{name}: the configuration in Proxmox, with its digest and pending changes. */
    config: (name: string) => [...servers, 'config', name] as const,
    /** Every log of one server (Proxmox tasks, Proxdeck events, guest files). */
    logsOf: (name: string) => [...servers, 'logs', name] as const,
    /** GET /api/server/logs/{name} with this type (and path, for a guest log). */
    logs: (name: string, query: ServerLogsQuery) => [...servers, 'logs', name, query] as const,
  },
  /** Proxmox storage as Proxdeck caches it, with the HDD and SSD defaults. */
  datastores: {
    all: datastores,
    /** GET /api/datastores (POST /api/datastores/refresh and /default answer the same list) */
    list: () => [...datastores, 'list'] as const,
  },
  /** IP pools with their usage; a pool's detail lists the addresses held in it. */
  ipPools: {
    all: ipPools,
    /** GET /api/ip_pools */
    list: () => [...ipPools, 'list'] as const,
    /** GET /api/ip_pools/{id} */
    detail: (id: number) => [...ipPools, 'detail', id] as const,
  },
  /** Security groups, IP sets, aliases, and the groups on servers (docs/api.md §7, §15). */
  firewall: {
    all: firewall,
    /** GET /api/firewall/groups */
    groups: () => [...firewall, 'groups'] as const,
    /** GET /api/firewall/groups/{group_name} */
    group: (name: string) => [...firewall, 'group', name] as const,
    /** GET /api/firewall/ipsets */
    ipsets: () => [...firewall, 'ipsets'] as const,
    /** GET /api/firewall/aliases */
    aliases: () => [...firewall, 'aliases'] as const,
    /** GET /api/firewall/drift */
    drift: () => [...firewall, 'drift'] as const,
    /** GET /api/firewall/servers/{server_name} */
    server: (name: string) => [...firewall, 'server', name] as const,
  },
  /** Administration (docs/api.md §11): users, IAM and the audit trail. */
  admin: {
    all: admin,
    /** Every page of the user list, whatever its filters. */
    userLists: () => [...admin, 'users'] as const,
    /** GET /api/users with these filters and this page. */
    users: (query: UserListQuery = {}) => [...admin, 'users', query] as const,
    /** GET /api/iam/data */
    iam: () => [...admin, 'iam'] as const,
    /** GET /api/audit with these filters and this page. */
    audit: (query: AuditListQuery = {}) => [...admin, 'audit', query] as const,
  },
  /** API tokens: the signed-in user's own, or everyone's for administrators (GET /api/tokens). */
  tokens: {
    all: tokens,
    /** GET /api/tokens */
    own: () => [...tokens, 'own'] as const,
    /** GET /api/tokens?all=true: everyone's, for administrators. */
    everyone: () => [...tokens, 'everyone'] as const,
  },
  /** Alerts raised by the checker (docs/api.md §9): refreshed by the live `alert` event. */
  alerts: {
    all: alerts,
    /** Every page of the list, whatever its filters. */
    lists: () => [...alerts, 'list'] as const,
    /** GET /api/alerts with this status and this page. */
    list: (query: AlertListQuery = {}) => [...alerts, 'list', query] as const,
  },
  /** Servers' health and metrics (docs/api.md §9): refreshed by the live `alert` event. */
  monitoring: {
    all: monitoring,
    /** GET /api/monitoring/summary */
    summary: () => [...monitoring, 'summary'] as const,
    /** GET /api/servers/health-summary */
    healthSummary: () => [...monitoring, 'health-summary'] as const,
    /** GET /api/servers/{server_ip}/health */
    health: (name: string) => [...monitoring, 'health', name] as const,
    /** GET /api/servers/{server_ip}/metrics?timeframe= */
    metrics: (name: string, timeframe: MetricsTimeframe, source: MetricsSource = 'pve') =>
      [...monitoring, 'metrics', name, timeframe, source] as const,
    /** GET /api/monitoring/config */
    config: () => [...monitoring, 'config'] as const,
    /** GET /api/grafana-dashboard */
    grafanaDashboard: () => [...monitoring, 'grafana-dashboard'] as const,
    /** GET /api/monitoring/config-page */
    configPage: () => [...monitoring, 'config-page'] as const,
    /** GET /api/grafana-dashboard/embed for a server, a timeframe and a theme */
    grafanaEmbed: (name: string, from: string, theme: string) =>
      [...monitoring, 'grafana-embed', name, from, theme] as const,
  },
  /** Ansible roles (docs/api.md §6): refreshed by the live `role_run` event when a run ends. */
  roles: {
    all: roles,
    /** GET /api/roles/available */
    available: () => [...roles, 'available'] as const,
    /** GET /api/roles/validate/{role_name} */
    validation: (name: string) => [...roles, 'validate', name] as const,
    /** Every page of the run history, whatever its filters. */
    runLists: () => [...roles, 'runs'] as const,
    /** GET /api/roles/runs with these filters and this page. */
    runs: (query: RoleRunListQuery = {}) => [...roles, 'runs', query] as const,
    /** GET /api/roles/runs/{run_id}: one run with its whole log. */
    run: (id: number) => [...roles, 'run', id] as const,
  },
} satisfies Record<string, KeyDomain>;
