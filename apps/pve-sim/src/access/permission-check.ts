/**
 * The permission stage of pveproxy (RPCEnvironment.pm check_api2_permissions / exec_api2_perm_check), driven by
 * each endpoint's `permissions` block in the schema: `world` needs nobody, root@pam passes, `all` lets any
 * authenticated caller through (the handler filters or checks itself), otherwise the `check` expression decides:
 * `perm` (path template, privileges, `any`, `require_param`), `and`, `or`, `userid-param`, `userid-group` and
 * `perm-modify`. A failed check is 403 `Permission check failed (<path>, <privs>)`; a failed `or`, the bare text.
 */
import type { RawParamValue } from '@proxdeck/pve-client';
import { permissionError, pveDie } from '../http-error';
import { ROOT_USER, normalizeAclPath, splitTokenId, type AccessControl } from './access-control';

export interface PermissionSubject {
  /** `user@realm` or `user@realm!tokenid`; empty when unauthenticated. */
  authid: string;
}

export class PermissionChecker {
  constructor(private readonly access: AccessControl) {}

  /** Whether `authid` holds one (`any`) or all of `privs` on `path`; throws the 403 unless `noerr`. */
  checkFull(authid: string, path: string, privs: readonly string[], any: boolean, noerr: boolean): boolean {
    const held = this.access.permissions(authid, path);
    if (any) {
      if (privs.some((p) => held.has(p))) return true;
      if (noerr) return false;
      throw permissionError(`${path}, ${privs.join('|')}`);
    }
    for (const priv of privs) {
      if (held.has(priv)) continue;
      if (noerr) return false;
      throw permissionError(`${path}, ${priv}`);
    }
    return true;
  }

  /** check_api2_permissions for one request; `params` are the merged, not yet validated parameters. */
  checkApi(
    subject: PermissionSubject,
    permissions: { user?: string; check?: unknown },
    params: Record<string, RawParamValue>,
  ): void {
    if (permissions.user === 'world') return;
    if (subject.authid === '') throw permissionError('user != null');
    if (subject.authid === ROOT_USER) return;
    if (permissions.user === 'all') return;
    if (permissions.check === undefined) throw permissionError('user != root@pam');
    this.exec(permissions.check, subject.authid, params, false);
  }

  private exec(
    check: unknown,
    authid: string,
    params: Record<string, RawParamValue>,
    noerr: boolean,
  ): boolean {
    if (!Array.isArray(check) || typeof check[0] !== 'string')
      throw new Error(`bad permission check ${JSON.stringify(check)}`);
    const [test, ...args] = check as [string, ...unknown[]];
    switch (test) {
      case 'and':
        return args.every((sub) => this.exec(sub, authid, params, noerr));
      case 'or':
        if (args.some((sub) => this.exec(sub, authid, params, true))) return true;
        if (noerr) return false;
        throw permissionError();
      case 'perm': {
        const [template, privs, ...rest] = args as [string, string[], ...unknown[]];
        const options = pairs(rest);
        const required = options.require_param;
        if (typeof required === 'string' && params[required] === undefined) return false;
        const path = normalizeAclPath(fillTemplate(template, params));
        return this.checkFull(authid, path, privs, options.any === 1, noerr);
      }
      case 'perm-modify': {
        const path = normalizeAclPath(fillTemplate(String(args[0]), params));
        return this.checkPermModify(authid, path, noerr);
      }
      case 'userid-param':
        return this.checkUseridParam(String(args[0]), authid, params, noerr);
      case 'userid-group': {
        const [privs, ...rest] = args as [string[], ...unknown[]];
        return this.checkUseridGroup(privs, pairs(rest), authid, params, noerr);
      }
      default:
        throw new Error(`unknown permission check '${test}'`);
    }
  }

  /** RPCEnvironment.pm check_perm_modify: Permissions.Modify, or the path's own allocate privilege. */
  checkPermModify(authid: string, path: string, noerr: boolean): boolean {
    const privs = ['Permissions.Modify'];
    if (/^\/storage\/.+$/.test(path)) privs.push('Datastore.Allocate');
    else if (/^\/vms\/.+$/.test(path)) privs.push('VM.Allocate');
    else if (/^\/pool\/.+$/.test(path)) privs.push('Pool.Allocate');
    return this.checkFull(authid, path, privs, true, noerr);
  }

  private checkUseridParam(
    subtest: string,
    authid: string,
    params: Record<string, RawParamValue>,
    noerr: boolean,
  ): boolean {
    const userid = scalar(params.userid);
    if (subtest === 'self') {
      if (!this.access.user(userid)) {
        if (noerr) return false;
        throw pveDie(`no such user ('${userid}')`);
      }
      if (splitTokenId(authid).tokenid === undefined && authid === userid) return true;
      if (noerr) return false;
      throw permissionError();
    }
    const realm = userid.split('@')[1] ?? '';
    return this.checkFull(authid, `/access/realm/${realm}`, [subtest], false, noerr);
  }

  /**
   * `userid-group`: the privileges on /access/groups (all users), or on a group the target user belongs to;
   * with `groups_param`, on every group named in `groups` (`create`: the user need not exist yet).
   */
  private checkUseridGroup(
    privs: string[],
    options: Record<string, unknown>,
    authid: string,
    params: Record<string, RawParamValue>,
    noerr: boolean,
  ): boolean {
    const userid = scalar(params.userid);
    const creating = options.groups_param === 'create';
    const user = this.access.user(userid);
    if (!creating && !user) {
      if (noerr) return false;
      throw pveDie(`no such user ('${userid}')`);
    }
    if (this.checkFull(authid, '/access/groups', privs, true, true)) return true;
    const deny = (): false => {
      if (noerr) return false;
      throw permissionError(`/access/groups, ${privs.join('|')}`);
    };
    if (options.groups_param !== undefined) {
      const named = scalar(params.groups)
        .split(/[,;\s]+/)
        .filter((g) => g !== '');
      if (named.length === 0) return deny();
      for (const group of named) {
        if (!this.checkFull(authid, `/access/groups/${group}`, privs, true, true)) return deny();
      }
      if (creating) return true;
    }
    const allowed = (user?.groups ?? []).some((group) =>
      this.checkFull(authid, `/access/groups/${group}`, privs, true, true),
    );
    return allowed || deny();
  }
}

/** A raw parameter as text (`''` when missing or repeated). */
function scalar(value: RawParamValue | undefined): string {
  return value === undefined || typeof value === 'object' ? '' : String(value);
}

/** PVE::Tools::template_replace: `{name}` from the parameters (missing = empty). */
function fillTemplate(template: string, params: Record<string, RawParamValue>): string {
  return template.replace(/\{([^}]+)\}/g, (_m, name: string) => scalar(params[name]));
}

/** The `key, value, …` tail of a check (`'any', 1`, `'require_param', 'pool'`). */
function pairs(rest: unknown[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i + 1 < rest.length; i += 2) out[String(rest[i])] = rest[i + 1];
  return out;
}
