import { randomBytes } from 'node:crypto';
import { startPveSimulator, type RunningPveSimulator } from '@proxdeck/pve-sim';
import { DataSource } from 'typeorm';
import { DatastoreCatalog } from '../../src/modules/datastores';
import { createTestApp, type Caller, type TestApp } from '../support/test-app';

interface DatastoreBody {
  id: string;
  node: string | null;
  type: string;
  content: string[];
  shared: boolean;
  active: boolean;
  total_bytes: number;
  used_bytes: number;
  avail_bytes: number;
  is_default_hdd: boolean;
  is_default_ssd: boolean;
}

interface ListBody {
  datastores: DatastoreBody[];
  default_hdd: string | null;
  default_ssd: string | null;
  defaults_chosen: { hdd: boolean; ssd: boolean };
  refreshed_at: string | null;
}

/**
 * Datastores (docs/api.md §5) against the embedded simulator's default cluster: `local` and `local-lvm` on each
 * of pve1..pve3, the shared `nfs-backup` (backups) and `ssd-pool` (images). The defaults table is shared by
 * the run's test files; this one is the only one that sets them.
 */
describe('datastores', () => {
  let t: TestApp;
  let admin: Caller;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'false' });
    admin = await t.admin();
  });
  afterAll(async () => {
    await t.close();
  });

  const list = async (who: Caller = admin): Promise<ListBody> => {
    const response = await who.request('GET', '/api/datastores');
    expect(response.status).toBe(200);
    return response.json<{ data: ListBody }>().data;
  };
  const setDefaults = (body: unknown) => admin.request('POST', '/api/datastores/default', { body });

  it('lists Proxmox storage with usage: a node’s own per node, a shared one once', async () => {
    const { datastores } = await list();
    expect(datastores.map((row) => `${row.id}@${row.node ?? 'shared'}`)).toEqual([
      'local@pve1',
      'local@pve2',
      'local@pve3',
      'local-lvm@pve1',
      'local-lvm@pve2',
      'local-lvm@pve3',
      'nfs-backup@shared',
      'ssd-pool@shared',
    ]);
    const ssd = datastores.find((row) => row.id === 'ssd-pool');
    expect(ssd).toMatchObject({ type: 'rbd', content: ['images', 'rootdir'], shared: true, active: true });
    expect(ssd?.total_bytes).toBe(4 * 1024 ** 4);
    for (const row of datastores) expect(row.used_bytes + row.avail_bytes).toBe(row.total_bytes);
    // The templates' disks live on ssd-pool: its usage is real, not zero.
    expect(ssd?.used_bytes).toBeGreaterThan(0);
  });

  it('reads a viewer the list; refresh needs manage_servers, defaults admin_access', async () => {
    const viewerUser = await t.createUser('viewer');
    const viewer = await t.login(viewerUser.username, viewerUser.password);
    expect((await list(viewer)).datastores.length).toBeGreaterThan(0);
    expect((await viewer.request('POST', '/api/datastores/refresh')).status).toBe(403);
    const operatorUser = await t.createUser('operator');
    const operator = await t.login(operatorUser.username, operatorUser.password);
    expect((await operator.request('POST', '/api/datastores/refresh')).status).toBe(200);
    expect(
      (
        await operator.request('POST', '/api/datastores/default', {
          body: { hdd_datastore_id: 'local-lvm', ssd_datastore_id: 'ssd-pool' },
        })
      ).status,
    ).toBe(403);
  });

  it('refresh reads Proxmox again, replacing what the cache held', async () => {
    const before = await list();
    await t.app
      .get(DataSource)
      .query(`UPDATE datastores SET used_bytes = 1, avail_bytes = 2 WHERE storage = 'ssd-pool'`);
    expect((await list()).datastores.find((row) => row.id === 'ssd-pool')?.used_bytes).toBe(1);
    const response = await admin.request('POST', '/api/datastores/refresh');
    expect(response.status).toBe(200);
    const refreshed = response.json<{ data: ListBody; message: string }>();
    expect(refreshed.message).toBe('8 datastores read from Proxmox');
    expect(refreshed.data.datastores).toEqual(before.datastores);
    expect(Date.parse(refreshed.data.refreshed_at ?? '')).toBeGreaterThan(
      Date.parse(before.refreshed_at ?? ''),
    );
  });

  describe('defaults', () => {
    it('are chosen automatically until an administrator sets them: local-lvm for HDD, ssd-pool for SSD', async () => {
      const { default_hdd, default_ssd, defaults_chosen, datastores } = await list();
      expect({ default_hdd, default_ssd, defaults_chosen }).toEqual({
        default_hdd: 'local-lvm',
        default_ssd: 'ssd-pool',
        defaults_chosen: { hdd: false, ssd: false },
      });
      expect(datastores.filter((row) => row.is_default_hdd).map((row) => row.id)).toEqual(
        Array(3).fill('local-lvm'),
      );
      expect(datastores.filter((row) => row.is_default_ssd).map((row) => row.id)).toEqual(['ssd-pool']);
    });

    it.each<[string, unknown, Record<string, string>]>([
      [
        'an unknown datastore',
        { hdd_datastore_id: 'nope', ssd_datastore_id: 'ssd-pool' },
        { hdd_datastore_id: 'no datastore "nope" (refresh the list if it is new)' },
      ],
      [
        'one holding no disk images',
        { hdd_datastore_id: 'local-lvm', ssd_datastore_id: 'nfs-backup' },
        { ssd_datastore_id: '"nfs-backup" does not hold disk images (content: backup, iso)' },
      ],
      [
        'both wrong',
        { hdd_datastore_id: 'local', ssd_datastore_id: 'gone' },
        {
          hdd_datastore_id: expect.stringContaining('does not hold disk images') as string,
          ssd_datastore_id: expect.stringContaining('no datastore') as string,
        },
      ],
      [
        'a missing field',
        { hdd_datastore_id: 'local-lvm' },
        { ssd_datastore_id: expect.any(String) as string },
      ],
      [
        'a number',
        { hdd_datastore_id: 5, ssd_datastore_id: 'ssd-pool' },
        { hdd_datastore_id: expect.any(String) as string },
      ],
      [
        'a bad storage id',
        { hdd_datastore_id: 'a b', ssd_datastore_id: 'ssd-pool' },
        { hdd_datastore_id: 'hdd_datastore_id must be a storage id such as local-lvm' },
      ],
      [
        'an unknown field',
        { hdd_datastore_id: 'local-lvm', ssd_datastore_id: 'ssd-pool', nvme: 'x' },
        { nvme: expect.any(String) as string },
      ],
    ])('refuses %s with a 400 naming the field, changing nothing', async (_case, body, fields) => {
      const response = await setDefaults(body);
      expect(response.status).toBe(400);
      expect(response.json<{ details: { fields: Record<string, string> } }>().details.fields).toEqual(fields);
      expect((await list()).defaults_chosen).toEqual({ hdd: false, ssd: false });
    });

    it('are stored when valid, kept across a refresh, and read by the catalog', async () => {
      const response = await setDefaults({ hdd_datastore_id: 'ssd-pool', ssd_datastore_id: 'local-lvm' });
      expect(response.status).toBe(200);
      expect(response.json<{ data: ListBody }>().data).toMatchObject({
        default_hdd: 'ssd-pool',
        default_ssd: 'local-lvm',
        defaults_chosen: { hdd: true, ssd: true },
      });
      await admin.request('POST', '/api/datastores/refresh');
      expect(await list()).toMatchObject({ default_hdd: 'ssd-pool', default_ssd: 'local-lvm' });

      const catalog = t.app.get(DatastoreCatalog);
      expect(await catalog.defaultFor('hdd')).toBe('ssd-pool');
      expect(await catalog.defaultFor('ssd')).toBe('local-lvm');
      expect(await catalog.find('local-lvm')).toEqual({
        id: 'local-lvm',
        type: 'lvmthin',
        content: ['images', 'rootdir'],
        shared: false,
        activeOn: ['pve1', 'pve2', 'pve3'],
      });
      expect(await catalog.find('ssd-pool')).toMatchObject({ shared: true, activeOn: 'all' });
      expect(await catalog.find('nope')).toBeNull();
    });
  });

  describe('/api/proxmox_storage', () => {
    it('gives each node’s storage as Proxmox reports it', async () => {
      const response = await admin.request('GET', '/api/proxmox_storage');
      expect(response.status).toBe(200);
      const nodes = response.json<{
        data: {
          node: string;
          status: string;
          storage: { storage: string; active: number }[];
          error: string | null;
        }[];
      }>().data;
      expect(nodes.map((entry) => [entry.node, entry.status, entry.error])).toEqual([
        ['pve1', 'online', null],
        ['pve2', 'online', null],
        ['pve3', 'online', null],
      ]);
      expect(nodes[0]?.storage.map((item) => item.storage).sort()).toEqual([
        'local',
        'local-lvm',
        'nfs-backup',
        'ssd-pool',
      ]);
      expect(nodes[0]?.storage[0]).toHaveProperty('active', 1);
    });

    it('narrows to one node, and names the node when it is unknown or malformed', async () => {
      const one = await admin.request('GET', '/api/proxmox_storage?node=pve2');
      expect(one.json<{ data: { node: string }[] }>().data.map((entry) => entry.node)).toEqual(['pve2']);
      for (const node of ['pve9', 'bad_name!']) {
        const response = await admin.request('GET', `/api/proxmox_storage?node=${encodeURIComponent(node)}`);
        expect(response.status).toBe(400);
        expect(
          Object.keys(response.json<{ details: { fields: Record<string, string> } }>().details.fields),
        ).toEqual(['node']);
      }
    });
  });

  /** A cluster of its own, whose faults the tests set; the cache (shared) holds what the tests above read. */
  describe('when Proxmox fails', () => {
    const token = { id: 'root@pam!faults', secret: randomBytes(12).toString('hex') };
    let cluster: RunningPveSimulator;
    let faulty: TestApp;
    let faultyAdmin: Caller;

    beforeAll(async () => {
      cluster = await startPveSimulator({
        port: 0,
        protocol: 'http',
        rootPassword: randomBytes(12).toString('hex'),
        apiToken: token,
      });
      faulty = await createTestApp({
        RUN_WORKERS: 'false',
        PVE_URL: cluster.url,
        PVE_TOKEN_ID: token.id,
        PVE_TOKEN_SECRET: token.secret,
      });
      faultyAdmin = await faulty.admin();
    });
    afterAll(async () => {
      await faulty.close();
      await cluster.close();
    });
    afterEach(() => {
      cluster.setFaults({});
    });

    it('answers 502 with Proxmox’s own status and message, and keeps the cache', async () => {
      const cached = (await faultyAdmin.request('GET', '/api/datastores')).json<{ data: ListBody }>().data;
      cluster.setFaults({ serverErrorRate: 1, serverErrorStatus: 500 });
      const response = await faultyAdmin.request('POST', '/api/datastores/refresh');
      expect(response.status).toBe(502);
      expect(response.json()).toMatchObject({ code: 'PVE_ERROR', details: { pve: { status: 500 } } });
      expect((await faultyAdmin.request('GET', '/api/datastores')).json<{ data: ListBody }>().data).toEqual(
        cached,
      );
      expect((await faultyAdmin.request('GET', '/api/proxmox_storage')).status).toBe(502);
    });

    it('reads the nodes it reaches, and says which one it could not', async () => {
      cluster.setFaults({ unreachableNodes: ['pve3'] });
      const refreshed = (await faultyAdmin.request('POST', '/api/datastores/refresh')).json<{
        data: ListBody;
      }>();
      expect(
        refreshed.data.datastores.filter((row) => row.id === 'local-lvm').map((row) => row.node),
      ).toEqual(['pve1', 'pve2']);
      const nodes = (await faultyAdmin.request('GET', '/api/proxmox_storage')).json<{
        data: { node: string; error: string | null }[];
      }>().data;
      expect(nodes.map((entry) => [entry.node, entry.error === null])).toEqual([
        ['pve1', true],
        ['pve2', true],
        ['pve3', false],
      ]);
      // Leave the shared cache whole again.
      cluster.setFaults({});
      expect((await faultyAdmin.request('POST', '/api/datastores/refresh')).status).toBe(200);
    });
  });
});
