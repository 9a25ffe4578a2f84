/**
 * Authentication and privileges like pveproxy + pve-access-control:
 * tickets `PVE:<user>:<HEX time>::<signature>` valid 2 h + 5 min grace, CSRF tokens `<HEX time>:<signature>`,
 * API tokens `PVEAPIToken=user@realm!id=secret`; privileges come from access/access-control.ts.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ROOT_USER, type AccessControl } from './access/access-control';
import { PermissionChecker } from './access/permission-check';
import { PveHttpError } from './http-error';

export const TICKET_LIFETIME_S = 7200;
export const TICKET_GRACE_S = 300;

export interface AuthInfo {
  /** `user@realm` */
  userid: string;
  tokenid?: string;
  /** What goes into UPIDs: `user@realm` or `user@realm!tokenid`. */
  upidUser: string;
  kind: 'ticket' | 'token' | 'none';
}

function hex8(seconds: number): string {
  return seconds.toString(16).toUpperCase().padStart(8, '0');
}

export class AuthService {
  private readonly key = randomBytes(32);
  readonly checker: PermissionChecker;

  constructor(
    readonly access: AccessControl,
    private readonly now: () => number = Date.now,
  ) {
    this.checker = new PermissionChecker(access);
  }

  private sign(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64').replace(/=+$/, '');
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }

  // ---- tickets ----------------------------------------------------------------------------------------

  issueTicket(userid: string): { ticket: string; csrf: string } {
    const time = hex8(this.nowSeconds());
    const plain = `PVE:${userid.replace(/:/g, '%3A')}:${time}`; // uri_escape($user, ':')
    return { ticket: `${plain}::${this.sign(plain)}`, csrf: `${time}:${this.sign(`${time}:${userid}`)}` };
  }

  /** The user of a valid ticket, else undefined. */
  verifyTicket(ticket: string): string | undefined {
    const m = /^(PVE:([^:]+):([0-9A-F]{8}))::(.+)$/.exec(ticket);
    if (!m) return undefined;
    const [, plain = '', user = '', time = '', signature = ''] = m;
    if (!safeEqual(signature, this.sign(plain))) return undefined;
    const age = this.nowSeconds() - parseInt(time, 16);
    if (age < -TICKET_GRACE_S || age > TICKET_LIFETIME_S + TICKET_GRACE_S) return undefined;
    const userid = decodeURIComponent(user);
    return this.access.userActive(userid) ? userid : undefined;
  }

  verifyCsrf(token: string | undefined, userid: string): boolean {
    if (token === undefined) return false;
    const m = /^([0-9A-F]{8}):(.+)$/.exec(token);
    if (!m) return false;
    const [, time = '', signature = ''] = m;
    if (!safeEqual(signature, this.sign(`${time}:${userid}`))) return false;
    const age = this.nowSeconds() - parseInt(time, 16);
    return age >= -TICKET_GRACE_S && age <= TICKET_LIFETIME_S + TICKET_GRACE_S;
  }

  /** POST /access/ticket: a password, or a still-valid ticket (renewal). */
  login(username: string, password: string, realm?: string): string | undefined {
    const userid = username.includes('@') ? username : `${username}@${realm ?? 'pam'}`;
    if (!this.access.userActive(userid)) return undefined;
    if (this.access.verifyPassword(userid, password)) return userid;
    if (password.startsWith('PVE:') && this.verifyTicket(password) === userid) return userid;
    return undefined;
  }

  // ---- tokens -----------------------------------------------------------------------------------------

  /** `PVEAPIToken=user@realm!id=secret` (split at the last `=`; a space after PVEAPIToken also works). */
  verifyTokenHeader(header: string): AuthInfo | undefined {
    const m = /^PVEAPIToken[= ](.+)$/.exec(header.trim());
    if (!m?.[1]) return undefined;
    const value = m[1];
    const eq = value.lastIndexOf('=');
    if (eq === -1) return undefined;
    const fullId = value.slice(0, eq);
    const secret = value.slice(eq + 1);
    const found = this.access.token(fullId);
    if (!found || !safeEqual(found.token.secret, secret)) return undefined;
    const expire = found.token.expire;
    if (expire !== 0 && expire <= this.nowSeconds()) return undefined;
    if (!this.access.userActive(found.userid)) return undefined;
    return { userid: found.userid, tokenid: found.tokenid, upidUser: fullId, kind: 'token' };
  }

  // ---- privileges -------------------------------------------------------------------------------------

  /** What the caller (its token, for token requests) holds on `path` (access/access-control.ts). */
  privileges(auth: AuthInfo, path: string): Set<string> {
    return new Set(this.access.permissions(auth.upidUser, path).keys());
  }

  has(auth: AuthInfo, path: string, priv: string): boolean {
    return this.access.permissions(auth.upidUser, path).has(priv);
  }

  /** Throws 403 `Permission check failed (<path>, <priv>|…)` unless the caller holds one of `privs`. */
  require(auth: AuthInfo, path: string, ...privs: string[]): void {
    this.checker.checkFull(auth.upidUser, path, privs, true, false);
  }

  /** Root-only parameters (`skiplock`, …): 400 `Only root may use this option.` (root's tokens are not root). */
  requireRootParam(auth: AuthInfo, param: string): void {
    if (auth.userid !== ROOT_USER || auth.tokenid !== undefined) {
      throw new PveHttpError(400, 'Parameter verification failed.', {
        [param]: 'Only root may use this option.',
      });
    }
  }

  /** `GET /access/permissions` and the ticket's `cap`: privileges by path (1 = propagating). */
  permissionMap(authid: string, path?: string): Record<string, Record<string, 0 | 1>> {
    if (path === undefined) return this.access.effectivePermissions(authid);
    const privs = this.access.permissions(authid, path);
    return { [path]: Object.fromEntries([...privs].sort(([a], [b]) => a.localeCompare(b))) };
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
