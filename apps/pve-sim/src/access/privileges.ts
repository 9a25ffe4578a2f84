/**
 * Proxmox VE's privileges and built-in roles (pve-access-control AccessControl.pm `$privgroups` and
 * `create_roles`; docs/pve-semantics.md §8, §9). Each category splits its privileges into root-only, admin, user
 * and audit ones; the built-in roles are unions of those groups. PVE 9 replaced `VM.Monitor` with the
 * `VM.GuestAgent.*` privileges; PVE 8 has the former only.
 */
import type { PveRelease } from '@proxdeck/pve-client';

interface PrivilegeGroup {
  /** Only `Administrator` (and root) hold these. */
  root: string[];
  admin: string[];
  user: string[];
  audit: string[];
}

const PVE9_GROUPS: Record<string, PrivilegeGroup> = {
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

/** PVE 8's VM group: `VM.Monitor` (admin) instead of the guest-agent privileges. */
const PVE8_GROUPS: Record<string, PrivilegeGroup> = {
  ...PVE9_GROUPS,
  VM: {
    root: [],
    admin: [...(PVE9_GROUPS.VM?.admin ?? []).filter((p) => !p.startsWith('VM.GuestAgent.')), 'VM.Monitor'],
    user: (PVE9_GROUPS.VM?.user ?? []).filter((p) => !p.startsWith('VM.GuestAgent.')),
    audit: ['VM.Audit'],
  },
};

export interface PrivilegeModel {
  /** Every privilege the release knows; naming another one is `invalid privilege '<name>'`. */
  all: readonly string[];
  /** The built-in ("special") roles, which cannot be changed or deleted. */
  builtinRoles: ReadonlyMap<string, ReadonlySet<string>>;
}

const MODELS = new Map<PveRelease, PrivilegeModel>();

export function privilegeModel(release: PveRelease): PrivilegeModel {
  let model = MODELS.get(release);
  if (!model) {
    const groups = Number(release.split('.')[0]) >= 9 ? PVE9_GROUPS : PVE8_GROUPS;
    const all = [
      ...new Set(Object.values(groups).flatMap((g) => [...g.root, ...g.admin, ...g.user, ...g.audit])),
    ].sort();
    model = { all, builtinRoles: buildRoles(groups, all) };
    MODELS.set(release, model);
  }
  return model;
}

function buildRoles(
  groups: Record<string, PrivilegeGroup>,
  all: readonly string[],
): Map<string, Set<string>> {
  const roles = new Map<string, Set<string>>([
    ['NoAccess', new Set()],
    ['Administrator', new Set(all)],
    ['PVEAdmin', new Set()],
    ['PVEAuditor', new Set()],
    ['PVETemplateUser', new Set(['VM.Clone', 'VM.Audit'])],
  ]);
  const role = (name: string): Set<string> => {
    let privs = roles.get(name);
    if (!privs) roles.set(name, (privs = new Set()));
    return privs;
  };
  for (const [category, group] of Object.entries(groups)) {
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
