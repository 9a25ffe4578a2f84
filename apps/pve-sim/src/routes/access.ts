/**
 * `/access`: login and renewal (`ticket`), `permissions`, and user.cfg's users, API tokens, groups, roles and
 * ACL (pve-access-control API2/AccessControl.pm, User.pm, Group.pm, Role.pm, ACL.pm). The schema's permission
 * blocks are checked before these handlers run (server.ts); the handlers filter lists as PVE does.
 */
import type { PveParamValue } from '@proxdeck/pve-client';
import { isValidAclPath, normalizeAclPath, splitTokenId } from '../access/access-control';
import type { AuthInfo } from '../auth';
import { flag, num, str, type RouteTable, type SimServices } from '../context';
import { PveHttpError, paramError, pveDie } from '../http-error';
import type { SimAccessUser, SimAclEntry } from '../state/model';

function list(value: PveParamValue | undefined): string[] {
  return value === undefined
    ? []
    : String(value)
        .split(/[,;\s]+/)
        .filter((x) => x !== '');
}

/** User.pm extract_user_data. */
function userData(user: SimAccessUser, full: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { enable: user.enable, expire: user.expire };
  for (const key of ['firstname', 'lastname', 'email', 'comment'] as const) {
    if (user[key] !== undefined) out[key] = user[key];
  }
  if (!full) return out;
  out.groups = [...user.groups].sort();
  out.tokens = Object.fromEntries(Object.entries(user.tokens).map(([tokenid, t]) => [tokenid, tokenInfo(t)]));
  return out;
}

function tokenInfo(token: { privsep: 0 | 1; expire: number; comment?: string }): Record<string, unknown> {
  return {
    privsep: token.privsep,
    expire: token.expire,
    ...(token.comment !== undefined ? { comment: token.comment } : {}),
  };
}

function existingUser(sim: SimServices, userid: string): SimAccessUser {
  const user = sim.auth.access.user(userid);
  if (!user) throw pveDie(`no such user ('${userid}')`);
  return user;
}

/** Groups on which the caller holds one of `privs` (RPCEnvironment.pm filter_groups). */
function groupsWith(sim: SimServices, auth: AuthInfo, privs: string[]): Set<string> {
  return new Set(
    Object.keys(sim.auth.access.data.groups).filter((group) =>
      sim.auth.checker.checkFull(auth.upidUser, `/access/groups/${group}`, privs, true, true),
    ),
  );
}

export function registerAccessRoutes(routes: RouteTable): void {
  routes.set('POST /access/ticket', ({ sim, params }) => {
    const username = String(params.username);
    const userid = sim.auth.login(username, String(params.password), str(params, 'realm'));
    if (userid === undefined) throw new PveHttpError(401, 'authentication failure');
    const { ticket, csrf } = sim.auth.issueTicket(userid);
    const auth = { userid, upidUser: userid, kind: 'ticket' as const };
    return {
      username: userid,
      ticket,
      CSRFPreventionToken: csrf,
      cap: groupCaps(sim.auth.permissionMap(userid)),
      ...(sim.auth.has(auth, '/', 'Sys.Audit') ? { clustername: sim.state.data.clusterName } : {}),
    };
  });

  /** Own permissions (a user: also those of its tokens); anybody else's needs Sys.Audit on /access. */
  routes.set('GET /access/permissions', ({ sim, auth, params }) => {
    const authid = auth.upidUser;
    const target = str(params, 'userid') ?? authid;
    const own = target === authid || splitTokenId(target).userid === authid;
    if (!own) sim.auth.require(auth, '/access', 'Sys.Audit');
    return sim.auth.permissionMap(target, str(params, 'path'));
  });

  // ---- users ---------------------------------------------------------------------------------------------

  routes.set('GET /access/users', ({ sim, auth, params }) => {
    const privs = ['User.Modify', 'Sys.Audit'];
    const all = sim.auth.checker.checkFull(auth.upidUser, '/access/groups', privs, true, true);
    const groups = groupsWith(sim, auth, privs);
    const enabled = params.enabled === undefined ? undefined : flag(params, 'enabled');
    const full = flag(params, 'full');
    return Object.entries(sim.auth.access.data.users)
      .sort(([a], [b]) => a.localeCompare(b))
      .filter(([userid, user]) => all || userid === auth.upidUser || user.groups.some((g) => groups.has(g)))
      .filter(([, user]) => enabled === undefined || (user.enable === 1) === enabled)
      .map(([userid, user]) => {
        const entry = userData(user, full);
        if (full) {
          entry.groups = (entry.groups as string[]).join(',');
          entry.tokens = Object.entries(user.tokens)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([tokenid, token]) => ({ tokenid, ...tokenInfo(token) }));
        }
        return { userid, ...entry };
      });
  });

  routes.set('POST /access/users', ({ sim, params }) => {
    const userid = String(params.userid);
    const password = str(params, 'password');
    sim.auth.access.addUser(
      userid,
      {
        enable: params.enable === undefined || flag(params, 'enable') ? 1 : 0,
        expire: num(params, 'expire') ?? 0,
        groups: list(params.groups),
        ...(['comment', 'email', 'firstname', 'lastname'] as const).reduce<Record<string, string>>(
          (out, key) => {
            const value = str(params, key);
            if (value !== undefined) out[key] = value;
            return out;
          },
          {},
        ),
      },
      password,
    );
    return null;
  });

  routes.set('GET /access/users/{userid}', ({ sim, params }) =>
    userData(existingUser(sim, String(params.userid)), true),
  );

  routes.set('DELETE /access/users/{userid}', ({ sim, params }) => {
    sim.auth.access.deleteUser(String(params.userid));
    return null;
  });

  // ---- API tokens ----------------------------------------------------------------------------------------

  routes.set('GET /access/users/{userid}/token', ({ sim, params }) =>
    Object.entries(existingUser(sim, String(params.userid)).tokens)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([tokenid, token]) => ({ tokenid, ...tokenInfo(token) })),
  );

  routes.set('GET /access/users/{userid}/token/{tokenid}', ({ sim, params }) => {
    const userid = String(params.userid);
    const tokenid = String(params.tokenid);
    const token = existingUser(sim, userid).tokens[tokenid];
    if (!token) throw pveDie(`no such token '${tokenid}' for user '${userid}'`);
    return tokenInfo(token);
  });

  /** Privilege separation is on unless `privsep=0`; the secret is shown this once. */
  routes.set('POST /access/users/{userid}/token/{tokenid}', ({ sim, params }) => {
    const userid = String(params.userid);
    const tokenid = String(params.tokenid);
    const user = existingUser(sim, userid);
    const comment = str(params, 'comment');
    const privsep: 0 | 1 = params.privsep === undefined || flag(params, 'privsep') ? 1 : 0;
    const info = {
      privsep,
      expire: num(params, 'expire') ?? user.expire,
      ...(comment !== undefined ? { comment } : {}),
    };
    const value = sim.auth.access.addToken(userid, tokenid, info);
    return { 'full-tokenid': `${userid}!${tokenid}`, info: tokenInfo(info), value };
  });

  routes.set('DELETE /access/users/{userid}/token/{tokenid}', ({ sim, params }) => {
    sim.auth.access.deleteToken(String(params.userid), String(params.tokenid));
    return null;
  });

  // ---- groups --------------------------------------------------------------------------------------------

  routes.set('GET /access/groups', ({ sim, auth }) => {
    const visible = groupsWith(sim, auth, ['User.Modify', 'Sys.Audit', 'Group.Allocate']);
    return Object.entries(sim.auth.access.data.groups)
      .filter(([groupid]) => visible.has(groupid))
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([groupid, group]) => ({
        groupid,
        ...(group.comment !== undefined ? { comment: group.comment } : {}),
        users: sim.auth.access.groupMembers(groupid).join(','),
      }));
  });

  routes.set('POST /access/groups', ({ sim, params }) => {
    sim.auth.access.addGroup(String(params.groupid), str(params, 'comment'));
    return null;
  });

  // ---- roles ---------------------------------------------------------------------------------------------

  routes.set('GET /access/roles', ({ sim }) =>
    sim.auth.access.roles().map(({ roleid, privs, special }) => ({
      roleid,
      privs: privs.join(','),
      ...(special ? { special: 1 } : {}),
    })),
  );

  routes.set('GET /access/roles/{roleid}', ({ sim, params }) => {
    const roleid = String(params.roleid);
    const privs = sim.auth.access.role(roleid);
    if (!privs) throw pveDie(`role '${roleid}' does not exist`);
    return Object.fromEntries([...privs].sort().map((p) => [p, 1]));
  });

  routes.set('POST /access/roles', ({ sim, params }) => {
    sim.auth.access.setRole(String(params.roleid), list(params.privs), 'create');
    return null;
  });

  routes.set('PUT /access/roles/{roleid}', ({ sim, params }) => {
    const roleid = String(params.roleid);
    const current = flag(params, 'append') ? [...(sim.auth.access.role(roleid) ?? [])] : [];
    sim.auth.access.setRole(roleid, [...current, ...list(params.privs)], 'update');
    return null;
  });

  routes.set('DELETE /access/roles/{roleid}', ({ sim, params }) => {
    sim.auth.access.deleteRole(String(params.roleid));
    return null;
  });

  // ---- ACL -----------------------------------------------------------------------------------------------

  /** Only the entries on paths where the caller may modify permissions. */
  routes.set('GET /access/acl', ({ sim, auth }) =>
    sim.auth.access.data.acl
      .filter((entry) => sim.auth.checker.checkPermModify(auth.upidUser, entry.path, true))
      .map((entry) => ({ ...entry })),
  );

  routes.set('PUT /access/acl', ({ sim, auth, params }) => {
    const users = list(params.users);
    const groups = list(params.groups);
    const tokens = list(params.tokens);
    if (users.length + groups.length + tokens.length === 0) {
      const message = "either 'users', 'groups' or 'tokens' is required.";
      throw paramError({ users: message, groups: message, tokens: message });
    }
    const raw = String(params.path);
    const path = normalizeAclPath(raw);
    const remove = flag(params, 'delete');
    if (!remove && !isValidAclPath(path)) throw paramError({ path: `invalid ACL path '${raw}'` });
    const access = sim.auth.access;
    const held = access.permissions(auth.upidUser, path);
    for (const roleid of list(params.roles)) {
      const privs = access.role(roleid);
      if (!privs) throw pveDie(`role '${roleid}' does not exist`);
      // perm-modify lets VM.Allocate & co. through: such callers may only hand out privileges they hold.
      if (!held.has('Permissions.Modify') && [...privs].some((p) => !held.has(p)))
        sim.auth.checker.checkFull(auth.upidUser, path, ['Permissions.Modify'], false, false);
      const subjects: Omit<SimAclEntry, 'propagate'>[] = [];
      for (const group of groups) {
        if (!(group in access.data.groups)) throw pveDie(`group '${group}' does not exist`);
        subjects.push({ path, type: 'group', ugid: group, roleid });
      }
      for (const userid of users) {
        if (!access.user(userid)) throw pveDie(`user '${userid}' does not exist`);
        subjects.push({ path, type: 'user', ugid: userid, roleid });
      }
      for (const tokenid of tokens) {
        const { userid, tokenid: name } = splitTokenId(tokenid);
        if (!access.token(tokenid)) throw pveDie(`no such token '${name ?? ''}' for user '${userid}'`);
        subjects.push({ path, type: 'token', ugid: tokenid, roleid });
      }
      const propagate = params.propagate === undefined || flag(params, 'propagate') ? 1 : 0;
      for (const subject of subjects) {
        if (remove) access.revoke(subject);
        else access.grant({ ...subject, propagate });
      }
    }
    return null;
  });
}

/** The ticket's `cap`: privileges grouped by kind (vms, storage, access, nodes, sdn, dc, mapping). */
function groupCaps(map: Record<string, Record<string, 0 | 1>>): Record<string, Record<string, 1>> {
  const caps: Record<string, Record<string, 1>> = {
    vms: {},
    storage: {},
    access: {},
    nodes: {},
    sdn: {},
    dc: {},
    mapping: {},
  };
  const all = new Set(Object.values(map).flatMap((privs) => Object.keys(privs)));
  for (const priv of all) {
    const kind = priv.startsWith('VM.')
      ? 'vms'
      : priv.startsWith('Datastore.')
        ? 'storage'
        : priv.startsWith('SDN.')
          ? 'sdn'
          : priv.startsWith('Mapping.')
            ? 'mapping'
            : /^(User|Group|Realm|Permissions)\./.test(priv)
              ? 'access'
              : priv.startsWith('Sys.')
                ? 'nodes'
                : 'dc';
    const bucket = caps[kind];
    if (bucket) bucket[priv] = 1;
  }
  return caps;
}
