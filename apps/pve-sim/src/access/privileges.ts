/**
 * Proxmox VE 9.2's privileges and built-in roles (pve-access-control AccessControl.pm `$privgroups` and
 * `create_roles`; docs/pve-semantics.md §8). Each category splits its privileges into root-only, admin, user and
 * audit ones; the built-in roles are unions of those groups.
 */

interface PrivilegeGroup {
  /** Only `Administrator` (and root) hold these. */
  root: string[];
  admin: string[];
  user: string[];
  audit: string[];
}

const PRIVILEGE_GROUPS: Record<string, PrivilegeGroup> = {
  VM: {
    root: [],
    admin: [
      'VM.Config.Disk',
      'VM.Config.CPU',
      'VM.Config.Memory',
      'VM.Config.Network',
      'VM.Config.HWType',
      'VM.Config.Options',
      'VM.Allocate',
      'VM.Clone',
      'VM.Migrate',
      'VM.Replicate',
      'VM.Snapshot',
      'VM.Snapshot.Rollback',
      'VM.GuestAgent.FileSystemMgmt',
      'VM.GuestAgent.Unrestricted',
    ],
    user: [
      'VM.Config.CDROM',
      'VM.Config.Cloudinit',
      'VM.Console',
      'VM.Backup',
      'VM.PowerMgmt',
      'VM.GuestAgent.Audit',
      'VM.GuestAgent.FileRead',
      'VM.GuestAgent.FileWrite',
    ],
    audit: ['VM.Audit'],
  },
  Sys: {
    root: ['Sys.PowerMgmt', 'Sys.Modify', 'Sys.Incoming', 'Sys.AccessNetwork', 'Permissions.Modify'],
    admin: ['Sys.Console', 'Sys.Syslog'],
    user: [],
    audit: ['Sys.Audit'],
  },
  Datastore: {
    root: [],
    admin: ['Datastore.Allocate', 'Datastore.AllocateTemplate'],
    user: ['Datastore.AllocateSpace'],
    audit: ['Datastore.Audit'],
  },
  SDN: { root: [], admin: ['SDN.Allocate'], user: ['SDN.Use'], audit: ['SDN.Audit'] },
  User: {
    root: ['Realm.Allocate'],
    admin: ['User.Modify', 'Group.Allocate', 'Realm.AllocateUser'],
    user: [],
    audit: [],
  },
  Pool: { root: [], admin: ['Pool.Allocate'], user: ['Pool.Audit'], audit: ['Pool.Audit'] },
  Mapping: { root: [], admin: ['Mapping.Modify'], user: ['Mapping.Use'], audit: ['Mapping.Audit'] },
};

/** Every privilege PVE 9.2 knows; naming another one is `invalid privilege '<name>'`. */
export const ALL_PRIVILEGES: readonly string[] = [
  ...new Set(Object.values(PRIVILEGE_GROUPS).flatMap((g) => [...g.root, ...g.admin, ...g.user, ...g.audit])),
].sort();

/** The built-in ("special") roles, which cannot be changed or deleted. */
export const BUILTIN_ROLES: ReadonlyMap<string, ReadonlySet<string>> = buildRoles();

function buildRoles(): Map<string, Set<string>> {
  const roles = new Map<string, Set<string>>([
    ['NoAccess', new Set()],
    ['Administrator', new Set(ALL_PRIVILEGES)],
    ['PVEAdmin', new Set()],
    ['PVEAuditor', new Set()],
    ['PVETemplateUser', new Set(['VM.Clone', 'VM.Audit'])],
  ]);
  const role = (name: string): Set<string> => {
    let privs = roles.get(name);
    if (!privs) roles.set(name, (privs = new Set()));
    return privs;
  };
  for (const [category, group] of Object.entries(PRIVILEGE_GROUPS)) {
    for (const priv of [...group.admin, ...group.user, ...group.audit]) {
      role(`PVE${category}Admin`).add(priv);
      role('PVEAdmin').add(priv);
    }
    if (group.user.length > 0)
      for (const priv of [...group.user, ...group.audit]) role(`PVE${category}User`).add(priv);
    for (const priv of group.audit) role('PVEAuditor').add(priv);
  }
  return roles;
}

export function isValidPrivilege(name: string): boolean {
  return ALL_PRIVILEGES.includes(name);
}
