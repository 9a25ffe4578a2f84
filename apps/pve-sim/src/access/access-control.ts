/**
 * user.cfg and its evaluation, as pve-access-control does it (AccessControl.pm `roles`, RPCEnvironment.pm
 * `permissions`): users in groups, API tokens with privilege separation, custom and built-in roles, and ACL
 * entries on paths. Down the path from `/`, the entries of a level that apply (on the path itself, or
 * propagating from above) replace what was inherited; a user's own entries win over its groups' at the same
 * level; `NoAccess` takes everything away. A privilege-separated token holds the intersection of its user's
 * privileges and its own ACL's; one without separation holds exactly its user's. root@pam holds everything.
 */
import { createHash, randomUUID } from 'node:crypto';
import { pveDie } from '../http-error';
import type { SimAccessData, SimAccessToken, SimAccessUser, SimAclEntry } from '../state/model';
import type { PveRelease } from '@proxdeck/pve-client';
import { privilegeModel, type PrivilegeModel } from './privileges';

export const ROOT_USER = 'root@pam';

export interface SimAclOption {
  path: string;
  /** Built-in (`PVEVMAdmin`, `PVEAuditor`, …) or custom roles (`roles` of the simulator's options). */
  roles: string[];
  /** Default true, as in PVE. */
  propagate?: boolean;
}

export interface SimUserOption {
  /** `user@realm` */
  userid: string;
  password?: string;
  enabled?: boolean;
  groups?: string[];
  acl?: SimAclOption[];
}

export interface SimGroupOption {
  groupid: string;
  comment?: string;
  acl?: SimAclOption[];
}

export interface SimTokenOption {
  /** `user@realm!tokenid` */
  id: string;
  secret: string;
  /** Privilege separation; PVE's default on creation is 1. */
  privsep?: 0 | 1;
  acl?: SimAclOption[];
}

export interface AccessSeed {
  rootPassword: string;
  roles?: Record<string, string[]>;
  groups?: SimGroupOption[];
  users?: SimUserOption[];
  tokens?: SimTokenOption[];
}

/**
 * Start options for a user and its privilege-separated token that hold custom roles, each granted on its path
 * (e.g. a least-privilege setup: `pveum role add …`, `pveum acl modify … --users … --tokens …`).
 */
export function accessForRoles(
  roles: readonly { roleid: string; path: string; propagate: boolean; privs: readonly string[] }[],
  user: { userid: string; password: string },
  token: { id: string; secret: string },
): Pick<AccessSeed, 'roles' | 'users' | 'tokens'> {
  const acl = roles.map((r) => ({ path: r.path, roles: [r.roleid], propagate: r.propagate }));
  return {
    roles: Object.fromEntries(roles.map((r) => [r.roleid, [...r.privs]])),
    users: [{ userid: user.userid, password: user.password, acl }],
    tokens: [{ id: token.id, secret: token.secret, privsep: 1, acl }],
  };
}

/** Privilege → propagate flag (1 when granted by a propagating entry), as `GET /access/permissions` shows it. */
export type PrivilegeSet = Map<string, 0 | 1>;

export function splitTokenId(authid: string): { userid: string; tokenid?: string } {
  const bang = authid.indexOf('!');
  return bang === -1
    ? { userid: authid }
    : { userid: authid.slice(0, bang), tokenid: authid.slice(bang + 1) };
}

/** AccessControl.pm normalize_path. */
export function normalizeAclPath(path: string): string {
  let p = path.replace(/\/+/g, '/').replace(/\/$/, '');
  if (p === '') p = '/';
  if (!p.startsWith('/')) p = `/${p}`;
  return p;
}

/** AccessControl.pm check_path: the paths an ACL may name. */
export function isValidAclPath(path: string): boolean {
  return /^(\/|\/access|\/access\/groups|\/access\/groups\/[\w.-]+|\/access\/realm|\/access\/realm\/[\w.-]+|\/mapping|\/mapping\/[\w.-]+(\/[\w.-]+)?|\/nodes|\/nodes\/[\w.-]+|\/pool|\/pool\/[\w.-]+(\/[\w.-]+)*|\/sdn|\/sdn\/zones\/[\w.-]+(\/[\w.-]+){0,2}|\/sdn\/vnets\/[\w.-]+|\/storage|\/storage\/[\w.-]+|\/vms|\/vms\/[1-9][0-9]{2,})$/.test(
    path,
  );
}

function digest(userid: string, password: string): string {
  return createHash('sha256').update(`${userid}:${password}`).digest('hex');
}

export class AccessControl {
  private readonly model: PrivilegeModel;

  constructor(
    private readonly holder: { access?: SimAccessData },
    private readonly nowSeconds: () => number,
    release: PveRelease = '9.2',
  ) {
    this.model = privilegeModel(release);
  }

  get data(): SimAccessData {
    this.holder.access ??= { users: {}, groups: {}, roles: {}, acl: [] };
    return this.holder.access;
  }

  /** Applies the start options over what the state file kept: root, and the given roles, groups, users, tokens. */
  seed(seed: AccessSeed): void {
    const root = this.data.users[ROOT_USER] ?? this.newUser();
    root.enable = 1;
    root.passwordDigest = digest(ROOT_USER, seed.rootPassword);
    this.data.users[ROOT_USER] = root;
    for (const [roleid, privs] of Object.entries(seed.roles ?? {})) this.setRole(roleid, privs, 'seed');
    for (const group of seed.groups ?? []) {
      this.data.groups[group.groupid] = group.comment !== undefined ? { comment: group.comment } : {};
      this.replaceAcl('group', group.groupid, group.acl);
    }
    for (const option of seed.users ?? []) {
      const user = this.data.users[option.userid] ?? this.newUser();
      user.enable = option.enabled === false ? 0 : 1;
      if (option.password !== undefined) user.passwordDigest = digest(option.userid, option.password);
      user.groups = [...(option.groups ?? user.groups)];
      for (const group of user.groups) this.data.groups[group] ??= {};
      this.data.users[option.userid] = user;
      this.replaceAcl('user', option.userid, option.acl);
    }
    for (const option of seed.tokens ?? []) {
      const { userid, tokenid } = splitTokenId(option.id);
      const user = this.data.users[userid];
      if (!user || tokenid === undefined)
        throw new Error(`token ${option.id}: user ${userid} does not exist`);
      user.tokens[tokenid] = { secret: option.secret, privsep: option.privsep ?? 1, expire: 0 };
      this.replaceAcl('token', option.id, option.acl);
    }
  }

  private newUser(): SimAccessUser {
    return { enable: 1, expire: 0, groups: [], tokens: {} };
  }

  private replaceAcl(type: SimAclEntry['type'], ugid: string, acl: SimAclOption[] | undefined): void {
    if (acl === undefined) return;
    this.data.acl = this.data.acl.filter((e) => !(e.type === type && e.ugid === ugid));
    for (const entry of acl) {
      for (const roleid of entry.roles) {
        if (!this.role(roleid)) throw new Error(`ACL of ${ugid}: role '${roleid}' does not exist`);
        this.data.acl.push({
          path: normalizeAclPath(entry.path),
          type,
          ugid,
          roleid,
          propagate: entry.propagate === false ? 0 : 1,
        });
      }
    }
  }

  // ---- users, tokens, groups ---------------------------------------------------------------------------

  user(userid: string): SimAccessUser | undefined {
    return this.data.users[userid];
  }

  /** Enabled and not expired. */
  userActive(userid: string): boolean {
    const user = this.user(userid);
    return !!user && user.enable === 1 && (user.expire === 0 || user.expire > this.nowSeconds());
  }

  verifyPassword(userid: string, password: string): boolean {
    const user = this.user(userid);
    return user?.passwordDigest !== undefined && user.passwordDigest === digest(userid, password);
  }

  addUser(
    userid: string,
    fields: Partial<Omit<SimAccessUser, 'tokens' | 'passwordDigest'>>,
    password?: string,
  ): void {
    if (this.user(userid)) throw pveDie(`create user failed: user '${userid}' already exists`);
    for (const group of fields.groups ?? [])
      if (!(group in this.data.groups)) throw pveDie(`create user failed: no such group '${group}'`);
    this.data.users[userid] = {
      ...this.newUser(),
      ...fields,
      ...(password !== undefined ? { passwordDigest: digest(userid, password) } : {}),
    };
  }

  deleteUser(userid: string): void {
    if (!this.user(userid)) throw pveDie(`delete user failed: no such user '${userid}'`);
    Reflect.deleteProperty(this.data.users, userid);
    this.data.acl = this.data.acl.filter(
      (e) =>
        !(
          (e.type === 'user' && e.ugid === userid) ||
          (e.type === 'token' && e.ugid.startsWith(`${userid}!`))
        ),
    );
  }

  /** A token and its user, when both exist. */
  token(fullId: string): { userid: string; tokenid: string; token: SimAccessToken } | undefined {
    const { userid, tokenid } = splitTokenId(fullId);
    const token = tokenid !== undefined ? this.user(userid)?.tokens[tokenid] : undefined;
    return token && tokenid !== undefined ? { userid, tokenid, token } : undefined;
  }

  /** Creates a token and returns its secret (shown once). */
  addToken(
    userid: string,
    tokenid: string,
    info: { privsep: 0 | 1; expire: number; comment?: string },
  ): string {
    const user = this.user(userid);
    if (!user) throw pveDie(`no such user ('${userid}')`);
    if (tokenid in user.tokens) throw pveDie('Token already exists.');
    const secret = randomUUID();
    user.tokens[tokenid] = { secret, ...info };
    return secret;
  }

  deleteToken(userid: string, tokenid: string): void {
    const user = this.user(userid);
    if (!user?.tokens[tokenid]) throw pveDie(`no such token '${tokenid}' for user '${userid}'`);
    Reflect.deleteProperty(user.tokens, tokenid);
    const full = `${userid}!${tokenid}`;
    this.data.acl = this.data.acl.filter((e) => !(e.type === 'token' && e.ugid === full));
  }

  addGroup(groupid: string, comment?: string): void {
    if (groupid in this.data.groups) throw pveDie(`create group failed: group '${groupid}' already exists`);
    this.data.groups[groupid] = comment !== undefined ? { comment } : {};
  }

  groupMembers(groupid: string): string[] {
    return Object.entries(this.data.users)
      .filter(([, user]) => user.groups.includes(groupid))
      .map(([userid]) => userid)
      .sort();
  }

  // ---- roles -------------------------------------------------------------------------------------------

  role(roleid: string): ReadonlySet<string> | undefined {
    const custom = this.data.roles[roleid];
    return this.model.builtinRoles.get(roleid) ?? (custom ? new Set(custom) : undefined);
  }

  /** Every role with its privileges, built-in ones marked special. */
  roles(): { roleid: string; privs: string[]; special: boolean }[] {
    return [
      ...[...this.model.builtinRoles].map(([roleid, privs]) => ({
        roleid,
        privs: [...privs].sort(),
        special: true,
      })),
      ...Object.entries(this.data.roles).map(([roleid, privs]) => ({
        roleid,
        privs: [...privs].sort(),
        special: false,
      })),
    ];
  }

  /**
   * Sets a custom role's privileges: `create` refuses an existing role, `update` a missing one, `seed` (start
   * options) takes either. Every privilege must exist.
   */
  setRole(roleid: string, privs: string[], mode: 'create' | 'update' | 'seed'): void {
    if (this.model.builtinRoles.has(roleid)) throw pveDie(`cannot modify special role '${roleid}'`);
    if (mode === 'create' && roleid in this.data.roles) throw pveDie(`role '${roleid}' already exists`);
    if (mode === 'update' && !(roleid in this.data.roles)) throw pveDie(`role '${roleid}' does not exist`);
    for (const priv of privs) if (!this.model.all.includes(priv)) throw pveDie(`invalid privilege '${priv}'`);
    this.data.roles[roleid] = [...new Set(privs)].sort();
  }

  deleteRole(roleid: string): void {
    if (this.model.builtinRoles.has(roleid)) throw pveDie(`cannot delete special role '${roleid}'`);
    if (!(roleid in this.data.roles)) throw pveDie(`role '${roleid}' does not exist`);
    Reflect.deleteProperty(this.data.roles, roleid);
    this.data.acl = this.data.acl.filter((e) => e.roleid !== roleid);
  }

  // ---- ACL ---------------------------------------------------------------------------------------------

  grant(entry: SimAclEntry): void {
    this.revoke(entry);
    this.data.acl.push(entry);
  }

  revoke(entry: Omit<SimAclEntry, 'propagate'>): void {
    this.data.acl = this.data.acl.filter(
      (e) =>
        !(
          e.path === entry.path &&
          e.type === entry.type &&
          e.ugid === entry.ugid &&
          e.roleid === entry.roleid
        ),
    );
  }

  // ---- evaluation --------------------------------------------------------------------------------------

  /** The privileges `authid` (`user@realm` or `user@realm!tokenid`) holds on `path`. */
  permissions(authid: string, path: string): PrivilegeSet {
    const target = normalizeAclPath(path);
    const { userid, tokenid } = splitTokenId(authid);
    if (!this.userActive(userid)) return new Map();
    const userPrivs =
      userid === ROOT_USER
        ? new Map(this.model.all.map((p) => [p, 1 as const]))
        : this.privilegesOf(this.rolesOn('user', userid, target));
    if (tokenid === undefined) return userPrivs;
    const token = this.token(authid)?.token;
    if (!token || (token.expire !== 0 && token.expire <= this.nowSeconds())) return new Map();
    if (token.privsep === 0) return userPrivs;
    const tokenPrivs = this.privilegesOf(this.rolesOn('token', authid, target));
    return new Map([...tokenPrivs].filter(([priv]) => userPrivs.has(priv)));
  }

  /** AccessControl.pm `roles`: the roles in force on `path`, each with its propagate flag. */
  private rolesOn(type: 'user' | 'token', ugid: string, path: string): Map<string, 0 | 1> {
    const groups = type === 'user' ? (this.user(ugid)?.groups ?? []) : [];
    const levels = ['/'];
    for (const part of path.split('/').filter((x) => x !== ''))
      levels.push(`${levels.at(-1) === '/' ? '' : levels.at(-1)}/${part}`);
    let roles = new Map<string, 0 | 1>();
    for (const level of levels) {
      const final = level === path;
      const applies = (e: SimAclEntry): boolean => e.path === level && (final || e.propagate === 1);
      const own = this.data.acl.filter((e) => applies(e) && e.type === type && e.ugid === ugid);
      const inherited =
        own.length > 0
          ? own
          : this.data.acl.filter((e) => applies(e) && e.type === 'group' && groups.includes(e.ugid));
      if (inherited.length > 0) roles = new Map(inherited.map((e) => [e.roleid, e.propagate]));
    }
    const noAccess = roles.get('NoAccess');
    return noAccess !== undefined ? new Map([['NoAccess', noAccess]]) : roles;
  }

  private privilegesOf(roles: Map<string, 0 | 1>): PrivilegeSet {
    const out: PrivilegeSet = new Map();
    for (const [roleid, propagate] of roles) {
      for (const priv of this.role(roleid) ?? []) out.set(priv, out.get(priv) === 1 ? 1 : propagate);
    }
    return out;
  }

  /** RPCEnvironment.pm get_effective_permissions: the top-level paths and every ACL path, where anything is held. */
  effectivePermissions(authid: string): Record<string, Record<string, 0 | 1>> {
    const paths = new Set([
      '/',
      '/access',
      '/access/groups',
      '/mapping',
      '/nodes',
      '/pool',
      '/sdn',
      '/storage',
      '/vms',
    ]);
    for (const entry of this.data.acl) paths.add(entry.path);
    const out: Record<string, Record<string, 0 | 1>> = {};
    for (const path of [...paths].sort()) {
      const privs = this.permissions(authid, path);
      if (privs.size > 0) out[path] = Object.fromEntries([...privs].sort(([a], [b]) => a.localeCompare(b)));
    }
    return out;
  }
}
