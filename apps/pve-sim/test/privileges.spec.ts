/**
 * Privileges as pve-access-control evaluates them (docs/pve-semantics.md §2.3, §8): the schema's permission
 * block of every endpoint, ACL propagation and overrides, groups, privilege-separated tokens, filtered lists.
 */
import { pveSchema } from '@proxdeck/pve-client';
import type { RunningPveSimulator } from '../src';
import { raw, startTestSim } from './helpers';

const NOBODY = { authorization: 'PVEAPIToken=nobody@pve!none=none-secret' };
const as = (id: string, secret: string) => ({ headers: { authorization: `PVEAPIToken=${id}=${secret}` } });

/** Concrete values for the path placeholders of the schema subset. */
const SAMPLE: Record<string, string> = {
  node: 'pve1',
  vmid: '100',
  storage: 'local',
  volume: 'local:backup/vzdump-qemu-100-2026_01_01-00_00_00.vma.zst',
  upid: 'UPID:pve1:00001234:00005678:6745F0A1:qmstart:100:root@pam:',
  group: 'web',
  pos: '0',
  userid: 'root@pam',
  tokenid: 'proxdeck',
  roleid: 'PVEAuditor',
};

function fill(template: string): string {
  return template.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(SAMPLE[name] ?? name));
}

describe('privileges', () => {
  let sim: RunningPveSimulator;
  beforeAll(async () => {
    sim = await startTestSim({
      roles: { VMReader: ['VM.Audit'] },
      groups: [{ groupid: 'ops', acl: [{ path: '/vms', roles: ['PVEVMUser'] }] }],
      users: [
        { userid: 'nobody@pve', password: 'nobody-pass' },
        {
          userid: 'alice@pve',
          password: 'alice-pass',
          groups: ['ops'],
          acl: [
            { path: '/vms', roles: ['PVEVMAdmin'] },
            { path: '/vms/101', roles: ['NoAccess'] },
            { path: '/storage', roles: ['PVEDatastoreUser'], propagate: false },
          ],
        },
        {
          userid: 'bob@pve',
          password: 'bob-pass',
          groups: ['ops'],
          acl: [{ path: '/vms/102', roles: ['VMReader'] }],
        },
      ],
      tokens: [
        { id: 'nobody@pve!none', secret: 'none-secret', privsep: 1 },
        { id: 'alice@pve!full', secret: 'full-secret', privsep: 0 },
        {
          id: 'alice@pve!narrow',
          secret: 'narrow-secret',
          privsep: 1,
          acl: [{ path: '/vms/100', roles: ['PVEVMAdmin', 'PVEAuditor'] }],
        },
        { id: 'alice@pve!bare', secret: 'bare-secret', privsep: 1 },
      ],
    });
  });
  afterAll(async () => {
    await sim.close();
  });

  describe("the schema's permission block of every endpoint", () => {
    const checked = Object.entries(pveSchema.endpoints).filter(
      ([, schema]) =>
        schema.permissionUser === undefined &&
        Array.isArray(schema.permissions) &&
        (schema.permissions as unknown[])[0] === 'perm',
    );

    it.each(
      checked.map(([key, schema]) => [key, schema.permissions as [string, string, string[], ...unknown[]]]),
    )('%s refuses a caller without its privileges with 403 and Proxmox text', async (key, check) => {
      const [, template, privs, ...options] = check;
      const [method = 'GET', pathTemplate = ''] = key.split(' ');
      const any = options.includes('any');
      const res = await raw(sim, method as 'GET', `/api2/json${fill(pathTemplate)}`, {
        headers: NOBODY,
        ...(method === 'GET' ? {} : { body: '' }),
      });
      const path = fill(template).replace(/%40/g, '@');
      const expected = `Permission check failed (${path}, ${any ? privs.join('|') : (privs[0] ?? '')})`;
      expect([res.status, res.statusText, res.json]).toEqual([
        403,
        expected,
        { data: null, message: `${expected}\n` },
      ]);
    });

    it('checks a clone as VM.Clone on the source and then VM.Allocate on the new id (bare text for the or)', async () => {
      const noClone = await raw(sim, 'POST', '/api2/json/nodes/pve2/qemu/9000/clone', {
        ...as('alice@pve!narrow', 'narrow-secret'),
        body: 'newid=600',
      });
      expect(noClone.statusText).toBe('Permission check failed (/vms/9000, VM.Clone)');
      const noAllocate = await raw(sim, 'POST', '/api2/json/nodes/pve1/qemu/100/clone', {
        ...as('alice@pve!narrow', 'narrow-secret'),
        body: 'newid=600',
      });
      expect([noAllocate.status, noAllocate.statusText]).toEqual([403, 'Permission check failed']);
    });
  });

  describe('propagation and overrides', () => {
    const alice = as('alice@pve!full', 'full-secret');

    it('inherits a propagating grant, and a deeper entry (NoAccess) replaces it', async () => {
      expect((await raw(sim, 'GET', '/api2/json/nodes/pve1/qemu/100/config', alice)).status).toBe(200);
      const denied = await raw(sim, 'GET', '/api2/json/nodes/pve2/qemu/101/config', alice);
      expect([denied.status, denied.statusText]).toEqual([
        403,
        'Permission check failed (/vms/101, VM.Audit)',
      ]);
    });

    it("lets a user's own entry win over its group's at the same level, and a group's reach its members", async () => {
      const perms = (await raw(sim, 'GET', '/api2/json/access/permissions?path=/vms/100', alice)).json as {
        data: Record<string, Record<string, number>>;
      };
      expect(perms.data['/vms/100']).toHaveProperty(['VM.Allocate'], 1);
      const bob = await raw(sim, 'GET', '/api2/json/access/permissions?userid=bob@pve&path=/vms/100');
      expect(Object.keys((bob.json as { data: Record<string, object> }).data['/vms/100'] ?? {})).toContain(
        'VM.PowerMgmt',
      );
      const bob102 = await raw(sim, 'GET', '/api2/json/access/permissions?userid=bob@pve&path=/vms/102');
      expect((bob102.json as { data: unknown }).data).toEqual({ '/vms/102': { 'VM.Audit': 1 } });
    });

    it('does not carry a non-propagating grant below its path', async () => {
      const onPath = await raw(sim, 'GET', '/api2/json/access/permissions?path=/storage', alice);
      expect((onPath.json as { data: Record<string, object> }).data['/storage']).toEqual({
        'Datastore.AllocateSpace': 0,
        'Datastore.Audit': 0,
      });
      const below = await raw(sim, 'GET', '/api2/json/nodes/pve1/storage/local/status', alice);
      expect(below.statusText).toBe(
        'Permission check failed (/storage/local, Datastore.Audit|Datastore.AllocateSpace)',
      );
    });
  });

  describe('privilege-separated tokens', () => {
    it('see nothing in /cluster/resources without an ACL of their own', async () => {
      for (const token of [as('alice@pve!bare', 'bare-secret'), as('nobody@pve!none', 'none-secret')]) {
        const all = (await raw(sim, 'GET', '/api2/json/cluster/resources', token)).json as {
          data: Record<string, unknown>[];
        };
        expect(all.data.filter((r) => r.type !== 'node')).toEqual([]);
        expect(all.data.every((r) => r.type === 'node' && r.cpu === undefined && r.mem === undefined)).toBe(
          true,
        );
        expect((await raw(sim, 'GET', '/api2/json/nodes/pve1/qemu', token)).json).toEqual({ data: [] });
        expect((await raw(sim, 'GET', '/api2/json/cluster/tasks', token)).json).toEqual({ data: [] });
      }
    });

    it("hold the intersection of their own ACL and their user's privileges", async () => {
      const narrow = as('alice@pve!narrow', 'narrow-secret');
      const perms = (await raw(sim, 'GET', '/api2/json/access/permissions?path=/vms/100', narrow)).json as {
        data: Record<string, Record<string, number>>;
      };
      // PVEAuditor gives the token Sys.Audit and Datastore.Audit too, but alice holds neither on /vms/100.
      expect(perms.data['/vms/100']).toHaveProperty(['VM.Allocate']);
      expect(perms.data['/vms/100']).not.toHaveProperty(['Sys.Audit']);
      const vms = (await raw(sim, 'GET', '/api2/json/cluster/resources?type=vm', narrow)).json as {
        data: { vmid: number }[];
      };
      expect(vms.data.map((r) => r.vmid)).toEqual([100]);
    });

    it("may not read another user's permissions, but a user may read its tokens'", async () => {
      const other = await raw(
        sim,
        'GET',
        '/api2/json/access/permissions?userid=bob@pve',
        as('alice@pve!full', 'full-secret'),
      );
      expect(other.statusText).toBe('Permission check failed (/access, Sys.Audit)');
    });
  });

  describe('user.cfg through the API', () => {
    it('lists the built-in roles, PVEVMAdmin with every VM privilege', async () => {
      const roles = (await raw(sim, 'GET', '/api2/json/access/roles')).json as {
        data: { roleid: string; privs: string; special?: number }[];
      };
      expect(
        roles.data
          .filter((r) => r.special === 1)
          .map((r) => r.roleid)
          .sort(),
      ).toEqual(
        [
          'Administrator',
          'NoAccess',
          'PVEAdmin',
          'PVEAuditor',
          'PVEDatastoreAdmin',
          'PVEDatastoreUser',
          'PVEMappingAdmin',
          'PVEMappingUser',
          'PVEPoolAdmin',
          'PVEPoolUser',
          'PVESDNAdmin',
          'PVESDNUser',
          'PVESysAdmin',
          'PVETemplateUser',
          'PVEUserAdmin',
          'PVEVMAdmin',
          'PVEVMUser',
        ].sort(),
      );
      const vmAdmin = roles.data.find((r) => r.roleid === 'PVEVMAdmin')?.privs.split(',') ?? [];
      expect(vmAdmin).toEqual(
        expect.arrayContaining(['VM.Allocate', 'VM.PowerMgmt', 'VM.GuestAgent.Audit', 'VM.Audit']),
      );
      expect(vmAdmin.every((p) => p.startsWith('VM.'))).toBe(true);
      const admin = roles.data.find((r) => r.roleid === 'PVEAdmin')?.privs.split(',') ?? [];
      expect(admin).not.toEqual(expect.arrayContaining(['Sys.Modify']));
    });

    it('refuses invalid privileges, built-in role changes and unknown ACL subjects as Proxmox does', async () => {
      const badPriv = await raw(sim, 'POST', '/api2/json/access/roles', {
        body: 'roleid=Bad&privs=VM.Monitor',
      });
      expect([badPriv.status, badPriv.statusText]).toEqual([500, "invalid privilege 'VM.Monitor'"]);
      const special = await raw(sim, 'PUT', '/api2/json/access/roles/PVEAuditor', {
        body: 'privs=VM.Allocate',
      });
      expect(special.statusText).toBe("cannot modify special role 'PVEAuditor'");
      const noSubject = await raw(sim, 'PUT', '/api2/json/access/acl', {
        body: 'path=/vms&roles=PVEAuditor',
      });
      expect(noSubject.json).toMatchObject({
        errors: { users: "either 'users', 'groups' or 'tokens' is required." },
      });
      const badPath = await raw(sim, 'PUT', '/api2/json/access/acl', {
        body: 'path=/nowhere&roles=PVEAuditor&users=bob@pve',
      });
      expect(badPath.json).toMatchObject({ errors: { path: "invalid ACL path '/nowhere'" } });
      const unknownToken = await raw(sim, 'PUT', '/api2/json/access/acl', {
        body: 'path=/vms&roles=PVEAuditor&tokens=bob@pve!nope',
      });
      expect(unknownToken.statusText).toBe("no such token 'nope' for user 'bob@pve'");
    });

    it('lets a user manage its own tokens, and nobody else without User.Modify', async () => {
      const ticket = await raw(sim, 'POST', '/api2/json/access/ticket', {
        token: false,
        body: 'username=bob@pve&password=bob-pass',
      });
      const { ticket: cookie, CSRFPreventionToken: csrf } = (
        ticket.json as { data: { ticket: string; CSRFPreventionToken: string } }
      ).data;
      const headers = { cookie: `PVEAuthCookie=${encodeURIComponent(cookie)}`, csrfpreventiontoken: csrf };
      const own = await raw(sim, 'POST', '/api2/json/access/users/bob@pve/token/mine', { headers, body: '' });
      expect(own.json).toMatchObject({ data: { 'full-tokenid': 'bob@pve!mine', info: { privsep: 1 } } });
      const foreign = await raw(sim, 'POST', '/api2/json/access/users/alice@pve/token/theirs', {
        headers,
        body: '',
      });
      expect([foreign.status, foreign.statusText]).toEqual([403, 'Permission check failed']);
    });
  });
});
