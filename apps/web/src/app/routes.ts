/**
 * The feature pages: one entry per page, with the permission it needs. The router makes a route of each
 * entry and the navigation lists the entries the user may open, so a new feature only adds an entry here.
 */
import type { ComponentType } from 'react';
import type { Permission } from '@proxdeck/contracts';
import {
  IconActivityHeartbeat,
  IconArchive,
  IconBrandAnsible,
  IconBell,
  IconClipboardList,
  IconKey,
  IconShieldLock,
  IconUsers,
  IconDatabase,
  IconLayoutDashboard,
  IconListCheck,
  IconNetwork,
  IconServer,
  IconShield,
  IconTrash,
  IconUserCircle,
  type TablerIcon,
} from '@tabler/icons-react';
import { hasPermission } from '../lib/permissions';
import type { appLocales } from './app.locales';

export type NavLabel = Exclude<keyof typeof appLocales.en.nav, 'label' | 'toggle'>;

export interface AppPage {
  /** Absolute path of the page. */
  path: string;
  /** Text key under `nav.` of the page's navigation entry. */
  label: NavLabel;
  icon: TablerIcon;
  /** The permission the page needs; null for every signed-in user. */
  permission: Permission | null;
  /** Listed in the navigation bar (false for pages reached another way). */
  inNavigation: boolean;
  /** Loads the page's module: code-split per feature. */
  load: () => Promise<{ Component: ComponentType }>;
}

export const APP_PAGES: readonly AppPage[] = [
  {
    path: '/',
    label: 'dashboard',
    icon: IconLayoutDashboard,
    permission: null,
    inNavigation: true,
    load: () => import('../features/dashboard/dashboard-page').then((m) => ({ Component: m.DashboardPage })),
  },
  {
    path: '/servers',
    label: 'servers',
    icon: IconServer,
    permission: 'view_all',
    inNavigation: true,
    load: () => import('../features/servers/servers-page').then((m) => ({ Component: m.ServersPage })),
  },
  {
    path: '/servers/new',
    label: 'servers',
    icon: IconServer,
    permission: 'create_server',
    inNavigation: false,
    load: () =>
      import('../features/servers/server-create-page').then((m) => ({ Component: m.ServerCreatePage })),
  },
  {
    path: '/servers/:name',
    label: 'servers',
    icon: IconServer,
    permission: 'view_all',
    inNavigation: false,
    load: () =>
      import('../features/servers/server-detail-page').then((m) => ({ Component: m.ServerDetailPage })),
  },
  {
    path: '/tasks',
    label: 'tasks',
    icon: IconListCheck,
    permission: null,
    inNavigation: true,
    load: () => import('../features/tasks/tasks-page').then((m) => ({ Component: m.TasksPage })),
  },
  {
    path: '/tasks/:taskId',
    label: 'tasks',
    icon: IconListCheck,
    permission: null,
    inNavigation: false,
    load: () => import('../features/tasks/task-detail-page').then((m) => ({ Component: m.TaskDetailPage })),
  },
  {
    path: '/firewall',
    label: 'firewall',
    icon: IconShield,
    permission: 'view_all',
    inNavigation: true,
    load: () => import('../features/firewall/firewall-page').then((m) => ({ Component: m.FirewallPage })),
  },
  {
    path: '/firewall/ipsets',
    label: 'firewall',
    icon: IconShield,
    permission: 'view_all',
    inNavigation: false,
    load: () => import('../features/firewall/ipsets-page').then((m) => ({ Component: m.IpsetsPage })),
  },
  {
    path: '/firewall/aliases',
    label: 'firewall',
    icon: IconShield,
    permission: 'view_all',
    inNavigation: false,
    load: () => import('../features/firewall/aliases-page').then((m) => ({ Component: m.AliasesPage })),
  },
  {
    path: '/firewall/groups/:name',
    label: 'firewall',
    icon: IconShield,
    permission: 'view_all',
    inNavigation: false,
    load: () => import('../features/firewall/group-page').then((m) => ({ Component: m.GroupPage })),
  },
  {
    path: '/backups',
    label: 'backups',
    icon: IconArchive,
    permission: 'view_all',
    inNavigation: true,
    load: () => import('../features/backups/backups-page').then((m) => ({ Component: m.BackupsPage })),
  },
  {
    path: '/backups/schedules',
    label: 'backups',
    icon: IconArchive,
    permission: 'view_all',
    inNavigation: false,
    load: () => import('../features/backups/backup-jobs-page').then((m) => ({ Component: m.BackupJobsPage })),
  },
  {
    path: '/monitoring',
    label: 'monitoring',
    icon: IconActivityHeartbeat,
    permission: 'view_all',
    inNavigation: true,
    load: () =>
      import('../features/monitoring/monitoring-page').then((m) => ({ Component: m.MonitoringPage })),
  },
  {
    path: '/roles',
    label: 'roles',
    icon: IconBrandAnsible,
    permission: 'view_all',
    inNavigation: true,
    load: () => import('../features/roles/roles-page').then((m) => ({ Component: m.RolesPage })),
  },
  {
    path: '/monitoring/settings',
    label: 'monitoringSettings',
    icon: IconActivityHeartbeat,
    permission: 'admin_access',
    inNavigation: false,
    load: () =>
      import('../features/monitoring/monitoring-settings-page').then((m) => ({
        Component: m.MonitoringSettingsPage,
      })),
  },
  {
    path: '/notifications',
    label: 'notifications',
    icon: IconBell,
    permission: null,
    inNavigation: true,
    load: () =>
      import('../features/notifications/notifications-page').then((m) => ({
        Component: m.NotificationsPage,
      })),
  },
  {
    path: '/datastores',
    label: 'datastores',
    icon: IconDatabase,
    permission: 'view_all',
    inNavigation: true,
    load: () =>
      import('../features/datastores/datastores-page').then((m) => ({ Component: m.DatastoresPage })),
  },
  {
    path: '/ip-pools',
    label: 'ipPools',
    icon: IconNetwork,
    permission: 'admin_access',
    inNavigation: true,
    load: () => import('../features/ip-pools/ip-pools-page').then((m) => ({ Component: m.IpPoolsPage })),
  },
  {
    path: '/cleanup',
    label: 'cleanup',
    icon: IconTrash,
    permission: 'view_all',
    inNavigation: true,
    load: () => import('../features/cleanup/cleanup-page').then((m) => ({ Component: m.CleanupPage })),
  },
  {
    path: '/admin/users',
    label: 'users',
    icon: IconUsers,
    permission: 'admin_access',
    inNavigation: true,
    load: () => import('../features/admin/users-page').then((m) => ({ Component: m.UsersPage })),
  },
  {
    path: '/admin/iam',
    label: 'iam',
    icon: IconShieldLock,
    permission: 'admin_access',
    inNavigation: true,
    load: () => import('../features/admin/iam-page').then((m) => ({ Component: m.IamPage })),
  },
  {
    path: '/admin/audit',
    label: 'audit',
    icon: IconClipboardList,
    permission: 'admin_access',
    inNavigation: true,
    load: () => import('../features/admin/audit-page').then((m) => ({ Component: m.AuditPage })),
  },
  {
    path: '/tokens',
    label: 'apiTokens',
    icon: IconKey,
    permission: null,
    inNavigation: true,
    load: () => import('../features/tokens/tokens-page').then((m) => ({ Component: m.TokensPage })),
  },
  {
    path: '/profile',
    label: 'profile',
    icon: IconUserCircle,
    permission: null,
    inNavigation: true,
    load: () => import('../features/profile/profile-page').then((m) => ({ Component: m.ProfilePage })),
  },
];

/** The navigation entries a user holding `permissions` may open, in table order. */
export function navigationFor(
  pages: readonly AppPage[],
  permissions: readonly string[] | undefined,
): AppPage[] {
  return pages.filter((page) => page.inNavigation && hasPermission(permissions, page.permission));
}
