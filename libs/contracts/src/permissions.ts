/**
 * The permission catalogue (docs/api.md §1.4). Names are snake_case as in the original reference; the API
 * checks them, the SPA hides what the user may not do, and IAM edits them.
 */
export const PERMISSIONS = {
  view_all: 'Read servers, tasks, datastores, firewall, backups, roles and monitoring',
  create_server: 'Create servers, single and bulk',
  manage_servers:
    'Start, stop, reboot, delete, reconfigure servers and their disks; bulk actions, sync, cleanup',
  assign_roles: 'Assign and remove Ansible roles',
  manage_firewall: 'Create, change and delete security groups and rules; apply and remove them',
  manage_backups: 'Run, restore and delete backups',
  admin_access: 'Users, IAM, API tokens of others, monitoring settings, audit log, test endpoints',
} as const;

export type Permission = keyof typeof PERMISSIONS;

export const ALL_PERMISSIONS = Object.keys(PERMISSIONS) as Permission[];

export function isPermission(value: unknown): value is Permission {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(PERMISSIONS, value);
}

/** The three built-in roles. A user has one role and a permission set, by default the role's. */
export const ROLE_PERMISSIONS = {
  admin: ALL_PERMISSIONS,
  operator: ALL_PERMISSIONS.filter((permission) => permission !== 'admin_access'),
  viewer: ['view_all'],
} as const satisfies Record<string, readonly Permission[]>;

export type RoleName = keyof typeof ROLE_PERMISSIONS;

export const ROLE_NAMES = Object.keys(ROLE_PERMISSIONS) as RoleName[];

export function isRoleName(value: unknown): value is RoleName {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ROLE_PERMISSIONS, value);
}
