/**
 * Authentication and privileges like pveproxy + pve-access-control:
 * tickets `PVE:<user>:<HEX time>::<signature>` valid 2 h + 5 min grace, CSRF tokens `<HEX time>:<signature>`,
 * API tokens `PVEAPIToken=user@realm!id=secret` with privilege separation, ACLs with propagation.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { PveHttpError, permissionError } from './http-error';

export const TICKET_LIFETIME_S = 7200;
export const TICKET_GRACE_S = 300;

export interface SimAcl {
  path: string;
  privs: string[];
  /** Default true, as in PVE. */
  propagate?: boolean;
}

export interface SimUserOption {
  userid: string;
  password: string;
  acl?: SimAcl[];
  enabled?: boolean;
}

export interface SimTokenOption {
  /** `user@realm!tokenid` */
  id: string;
  secret: string;
  /** Privilege separation; default 0 for the configured Proxdeck token, 1 is PVE's default on creation. */
  privsep?: 0 | 1;
  acl?: SimAcl[];
}

export interface AuthInfo {
  /** `user@realm` */
  userid: string;
  tokenid?: string;
  /** What goes into UPIDs: `user@realm` or `user@realm!tokenid`. */
  upidUser: string;
  kind: 'ticket' | 'token' | 'none';
}

const ALL_PRIVS = [
  'VM.Allocate',
  'VM.Clone',
  'VM.Migrate',
  'VM.Replicate',
  'VM.Snapshot',
  'VM.Snapshot.Rollback',
  'VM.Config.Disk',
  'VM.Config.CPU',
  'VM.Config.Memory',
  'VM.Config.Network',
  'VM.Config.HWType',
  'VM.Config.Options',
  'VM.Config.CDROM',
  'VM.Config.Cloudinit',
  'VM.Console',
  'VM.Backup',
  'VM.PowerMgmt',
  'VM.Audit',
  'VM.GuestAgent.Audit',
  'VM.GuestAgent.FileRead',
  'VM.GuestAgent.FileWrite',
  'VM.GuestAgent.FileSystemMgmt',
  'VM.GuestAgent.Unrestricted',
  'Sys.Audit',
  'Sys.Modify',
  'Sys.PowerMgmt',
  'Sys.Console',
  'Sys.Syslog',
  'Sys.Incoming',
  'Sys.AccessNetwork',
  'Datastore.Allocate',
  'Datastore.AllocateSpace',
  'Datastore.AllocateTemplate',
  'Datastore.Audit',
  'SDN.Use',
  'SDN.Audit',
  'SDN.Allocate',
  'Pool.Allocate',
  'Pool.Audit',
  'User.Modify',
  'Group.Allocate',
  'Realm.Allocate',
  'Realm.AllocateUser',
  'Mapping.Use',
  'Mapping.Modify',
  'Mapping.Audit',
  'Permissions.Modify',
];

function hex8(seconds: number): string {
  return seconds.toString(16).toUpperCase().padStart(8, '0');
}

export class AuthService {
  private readonly key = randomBytes(32);
  private readonly users = new Map<string, SimUserOption>();
  private readonly tokens = new Map<string, SimTokenOption>();

  constructor(
    options: { rootPassword: string; users?: SimUserOption[]; tokens?: SimTokenOption[] },
    private readonly now: () => number = Date.now,
  ) {
    this.users.set('root@pam', { userid: 'root@pam', password: options.rootPassword });
    for (const u of options.users ?? []) this.users.set(u.userid, u);
    for (const t of options.tokens ?? []) this.tokens.set(t.id, t);
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
    return this.users.get(userid)?.enabled === false ? undefined : userid;
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
    const user = this.users.get(userid);
    if (!user || user.enabled === false) return undefined;
    if (user.password === password) return userid;
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
    const token = this.tokens.get(fullId);
    if (!token || !safeEqual(token.secret, secret)) return undefined;
    const [userid = '', tokenid = ''] = fullId.split('!');
    if (!this.users.has(userid) || this.users.get(userid)?.enabled === false) return undefined;
    return { userid, tokenid, upidUser: fullId, kind: 'token' };
  }

  // ---- privileges -------------------------------------------------------------------------------------

  /** root@pam, and its tokens without privilege separation, bypass every check (RPCEnvironment.pm). */
  private isUnrestricted(auth: AuthInfo): boolean {
    if (auth.userid !== 'root@pam') return false;
    return auth.tokenid === undefined || (this.tokens.get(auth.upidUser)?.privsep ?? 0) === 0;
  }

  privileges(auth: AuthInfo, path: string): Set<string> {
    if (this.isUnrestricted(auth)) return new Set(ALL_PRIVS);
    const userPrivs =
      auth.userid === 'root@pam'
        ? new Set(ALL_PRIVS)
        : aclPrivs(this.users.get(auth.userid)?.acl ?? [], path);
    if (auth.tokenid === undefined) return userPrivs;
    const token = this.tokens.get(auth.upidUser);
    if (!token || (token.privsep ?? 0) === 0) return userPrivs;
    const tokenPrivs = aclPrivs(token.acl ?? [], path);
    return new Set([...userPrivs].filter((p) => tokenPrivs.has(p)));
  }

  has(auth: AuthInfo, path: string, priv: string): boolean {
    return this.isUnrestricted(auth) || this.privileges(auth, path).has(priv);
  }

  /** Throws 403 `Permission check failed (<path>, <priv>)` unless the caller holds one of `privs`. */
  require(auth: AuthInfo, path: string, ...privs: string[]): void {
    if (this.isUnrestricted(auth)) return;
    const held = this.privileges(auth, path);
    if (!privs.some((p) => held.has(p))) throw permissionError(`${path}, ${privs.join('|')}`);
  }

  /** Root-only parameters (`skiplock`, …): 400 `Only root may use this option.` */
  requireRootParam(auth: AuthInfo, param: string): void {
    if (auth.userid !== 'root@pam' || auth.tokenid !== undefined) {
      throw new PveHttpError(400, 'Parameter verification failed.', {
        [param]: 'Only root may use this option.',
      });
    }
  }

  /** `cap` of the ticket answer and `GET /access/permissions`: every ACL path with its privileges. */
  permissionMap(auth: AuthInfo, path?: string): Record<string, Record<string, 1>> {
    const paths = new Set<string>(
      path !== undefined
        ? [path]
        : ['/', '/vms', '/storage', '/nodes', '/access', '/sdn', '/pool', '/mapping'],
    );
    if (path === undefined) {
      for (const acl of this.users.get(auth.userid)?.acl ?? []) paths.add(acl.path);
      for (const acl of this.tokens.get(auth.upidUser)?.acl ?? []) paths.add(acl.path);
    }
    const out: Record<string, Record<string, 1>> = {};
    for (const p of paths) {
      const privs = this.privileges(auth, p);
      if (privs.size > 0) out[p] = Object.fromEntries([...privs].sort().map((x) => [x, 1 as const]));
    }
    return out;
  }
}

function aclPrivs(acls: readonly SimAcl[], path: string): Set<string> {
  const out = new Set<string>();
  for (const acl of acls) {
    const exact = acl.path === path;
    const inherited = (acl.propagate ?? true) && (acl.path === '/' || path.startsWith(`${acl.path}/`));
    if (exact || inherited) for (const p of acl.privs) out.add(p);
  }
  return out;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
