import { IpAllocationService, SIMULATOR_POOL } from '../../src/modules/ip-pools';
import { ProxmoxConnection } from '../../src/platform/proxmox/proxmox-connection';
import { createTestApp, type Caller, type TestApp } from '../support/test-app';

interface PoolBody {
  id: number;
  bridge: string;
  cidr: string;
  gateway: string;
  range_start: string;
  range_end: string;
  dns: string[];
  capacity: number;
  allocated: number;
  free: number;
  allocations?: { address: string; owner: string; nic: number; prefix: number; gateway: string }[];
}

interface ErrorBody {
  code: string;
  error: string;
  details?: { fields?: Record<string, string>; allocations?: number };
}

/**
 * IP pools and allocation (docs/api.md §3.3) on the real Postgres. The run's database is shared by every test
 * file, so this file keeps to 10.201.0.0/16 and bridges named vmbrt*.
 */
describe('IP pools and allocation', () => {
  let t: TestApp;
  let admin: Caller;
  let allocations: IpAllocationService;

  beforeAll(async () => {
    t = await createTestApp({ RUN_WORKERS: 'false' });
    admin = await t.admin();
    allocations = t.app.get(IpAllocationService);
  });
  afterAll(async () => {
    await t.close();
  });

  const definition = (third: number, change: Record<string, unknown> = {}) => ({
    bridge: `vmbrt${String(third)}`,
    cidr: `10.201.${String(third)}.0/24`,
    gateway: `10.201.${String(third)}.1`,
    range_start: `10.201.${String(third)}.10`,
    range_end: `10.201.${String(third)}.20`,
    dns: [`10.201.${String(third)}.1`],
    ...change,
  });
  const createPool = async (third: number, change: Record<string, unknown> = {}): Promise<PoolBody> => {
    const response = await admin.request('POST', '/api/ip_pools', { body: definition(third, change) });
    expect(response.status).toBe(201);
    return response.json<{ data: PoolBody }>().data;
  };
  const pool = async (id: number): Promise<PoolBody> =>
    (await admin.request('GET', `/api/ip_pools/${String(id)}`)).json<{ data: PoolBody }>().data;

  describe('the simulator’s pool', () => {
    it('exists out of the box, on the simulator’s bridge, around its gateway', async () => {
      const pools = (await admin.request('GET', '/api/ip_pools')).json<{ data: PoolBody[] }>().data;
      const seeded = pools.find((candidate) => candidate.bridge === SIMULATOR_POOL.bridge);
      expect(seeded).toMatchObject({
        cidr: SIMULATOR_POOL.cidr,
        gateway: SIMULATOR_POOL.gateway,
        range_start: SIMULATOR_POOL.range_start,
        range_end: SIMULATOR_POOL.range_end,
        capacity: 151,
      });
      // The simulator's own idea of the bridge: the pool must match it, or created servers get no route.
      const interfaces = await t.app.get(ProxmoxConnection).pve().nodeNetwork('pve1', { type: 'bridge' });
      const bridge = interfaces.find((candidate) => candidate.iface === SIMULATOR_POOL.bridge);
      expect(bridge).toMatchObject({
        gateway: SIMULATOR_POOL.gateway,
        cidr: expect.stringMatching(/^10\.10\.0\.\d+\/24$/) as unknown,
      });
    });

    it('hands out the lowest free address of its range for "auto"', async () => {
      // The run's database is shared: servers other files created may hold the first addresses.
      const pools = (await admin.request('GET', '/api/ip_pools')).json<{ data: PoolBody[] }>().data;
      const seeded = pools.find((candidate) => candidate.bridge === SIMULATOR_POOL.bridge);
      const held = new Set(
        (await allocations.list({ poolId: seeded?.id ?? 0 })).map((lease) => lease.address),
      );
      let host = 100;
      while (held.has(`10.10.0.${String(host)}`)) host += 1;
      const lease = await allocations.allocate({
        owner: 'server:sim-first',
        nic: 0,
        bridge: 'vmbr0',
        address: 'auto',
      });
      expect(lease).toMatchObject({
        address: `10.10.0.${String(host)}`,
        prefix: 24,
        gateway: '10.10.0.1',
        dns: ['10.10.0.1'],
      });
      await allocations.release('server:sim-first');
    });
  });

  describe('CRUD for administrators', () => {
    it('creates, lists, shows, changes and deletes a pool', async () => {
      const created = await createPool(1);
      expect(created).toMatchObject({ ...definition(1), capacity: 11, allocated: 0, free: 11 });

      const listed = (await admin.request('GET', '/api/ip_pools')).json<{ data: PoolBody[] }>().data;
      expect(listed.map((candidate) => candidate.id)).toContain(created.id);
      expect(await pool(created.id)).toMatchObject({ id: created.id, allocations: [] });

      const changed = await admin.request('PUT', `/api/ip_pools/${String(created.id)}`, {
        body: definition(1, { range_end: '10.201.1.29', dns: [] }),
      });
      expect(changed.status).toBe(200);
      expect(changed.json<{ data: PoolBody }>().data).toMatchObject({
        range_end: '10.201.1.29',
        dns: [],
        capacity: 20,
      });

      const deleted = await admin.request('DELETE', `/api/ip_pools/${String(created.id)}`);
      expect(deleted.status).toBe(200);
      expect(deleted.json<{ message: string }>().message).toBe('IP pool 10.201.1.0/24 on vmbrt1 deleted');
      expect((await admin.request('GET', `/api/ip_pools/${String(created.id)}`)).status).toBe(404);
      expect((await admin.request('DELETE', `/api/ip_pools/${String(created.id)}`)).status).toBe(404);
    });

    it.each<[string, Record<string, unknown>, string]>([
      ['a missing bridge', { bridge: undefined }, 'bridge'],
      ['a bridge that is a number', { bridge: 5 }, 'bridge'],
      ['a bad bridge name', { bridge: 'vmbr 0' }, 'bridge'],
      ['a network with host bits', { cidr: '10.201.2.7/24' }, 'cidr'],
      ['a network too large', { cidr: '10.201.0.0/12' }, 'cidr'],
      ['a gateway outside the network', { gateway: '10.201.3.1' }, 'gateway'],
      ['the broadcast address as gateway', { gateway: '10.201.2.255' }, 'gateway'],
      ['a range start outside the network', { range_start: '10.202.2.10' }, 'range_start'],
      ['a range end before its start', { range_end: '10.201.2.5' }, 'range_end'],
      ['a DNS server that is a name', { dns: ['ns.example'] }, 'dns'],
      ['a DNS list that is a string', { dns: '10.201.2.1' }, 'dns'],
      ['an unknown field', { vlan: 5 }, 'vlan'],
    ])('refuses %s with a 400 naming the field', async (_case, change, field) => {
      const response = await admin.request('POST', '/api/ip_pools', { body: definition(2, change) });
      expect(response.status).toBe(400);
      const body = response.json<ErrorBody>();
      expect(body.code).toBe('VALIDATION_FAILED');
      expect(Object.keys(body.details?.fields ?? {})).toContain(field);
    });

    it('refuses a pool overlapping another, naming it', async () => {
      const existing = await createPool(3);
      const response = await admin.request('POST', '/api/ip_pools', {
        body: definition(3, {
          bridge: 'vmbrt99',
          cidr: '10.201.3.128/25',
          gateway: '10.201.3.129',
          range_start: '10.201.3.130',
          range_end: '10.201.3.140',
        }),
      });
      expect(response.status).toBe(400);
      expect(response.json<ErrorBody>().details?.fields).toEqual({
        cidr: `overlaps pool ${String(existing.id)} (10.201.3.0/24 on vmbrt3)`,
      });
    });

    it('lets no two concurrent creations of overlapping pools both succeed', async () => {
      const statuses = await Promise.all(
        [0, 1, 2, 3].map((index) =>
          admin.request('POST', '/api/ip_pools', {
            body: definition(4, { bridge: `vmbrt4${String(index)}` }),
          }),
        ),
      );
      expect(statuses.map((response) => response.status).sort()).toEqual([201, 400, 400, 400]);
    });

    it('answers 404 for a pool id that is not one', async () => {
      for (const id of ['0', 'abc', '99999999999', '2147483647'])
        expect((await admin.request('GET', `/api/ip_pools/${id}`)).status).toBe(404);
    });
  });

  describe('allocation', () => {
    it('takes the lowest free address of the range, never the gateway, and is idempotent per owner and NIC', async () => {
      const created = await createPool(5, { range_start: '10.201.5.1', range_end: '10.201.5.4' });
      const take = (owner: string, nic = 0) =>
        allocations.allocate({ owner, nic, bridge: 'vmbrt5', address: 'auto' });
      expect((await take('server:a')).address).toBe('10.201.5.2');
      expect((await take('server:b')).address).toBe('10.201.5.3');
      expect((await take('server:a')).address).toBe('10.201.5.2');
      expect((await take('server:a', 1)).address).toBe('10.201.5.4');
      await expect(take('server:c')).rejects.toMatchObject({ code: 'CONFLICT' });

      expect(await allocations.release('server:b')).toEqual(['10.201.5.3']);
      expect(await allocations.release('server:b')).toEqual([]);
      expect((await take('server:c')).address).toBe('10.201.5.3');
      expect(await pool(created.id)).toMatchObject({
        capacity: 3,
        allocated: 3,
        free: 0,
        allocations: [
          { address: '10.201.5.2', owner: 'server:a', nic: 0, prefix: 24, gateway: '10.201.5.1' },
          { address: '10.201.5.3', owner: 'server:c', nic: 0 },
          { address: '10.201.5.4', owner: 'server:a', nic: 1 },
        ],
      });
      expect((await allocations.list({ owner: 'server:a' })).map((lease) => lease.address)).toEqual([
        '10.201.5.2',
        '10.201.5.4',
      ]);
    });

    it('never hands out one address twice to many concurrent allocations', async () => {
      const created = await createPool(6, { range_start: '10.201.6.10', range_end: '10.201.6.49' });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 60 }, (_, index) =>
          allocations.allocate({
            owner: `server:burst-${String(index)}`,
            nic: 0,
            bridge: 'vmbrt6',
            address: 'auto',
          }),
        ),
      );
      const granted = outcomes.flatMap((outcome) =>
        outcome.status === 'fulfilled' ? [outcome.value.address] : [],
      );
      const refused = outcomes.flatMap((outcome) =>
        outcome.status === 'rejected' ? [(outcome.reason as { code?: string }).code] : [],
      );
      expect(granted).toHaveLength(40);
      expect(new Set(granted).size).toBe(40);
      expect(refused).toEqual(Array<string>(20).fill('CONFLICT'));
      expect((await pool(created.id)).free).toBe(0);
    });

    it('gives concurrent retries for one NIC the same address, once', async () => {
      await createPool(7);
      const leases = await Promise.all(
        Array.from({ length: 12 }, () =>
          allocations.allocate({ owner: 'server:retried', nic: 0, bridge: 'vmbrt7', address: 'auto' }),
        ),
      );
      expect(new Set(leases.map((lease) => lease.address))).toEqual(new Set(['10.201.7.10']));
      expect(await allocations.list({ owner: 'server:retried' })).toHaveLength(1);
    });

    it('lets only one of concurrent claims of one explicit address win', async () => {
      await createPool(8);
      const outcomes = await Promise.allSettled(
        Array.from({ length: 8 }, (_, index) =>
          allocations.allocate({
            owner: `server:claim-${String(index)}`,
            nic: 0,
            bridge: 'vmbrt8',
            address: '10.201.8.50',
          }),
        ),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
      for (const outcome of outcomes)
        if (outcome.status === 'rejected')
          expect(outcome.reason).toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    describe('an invalid or unavailable address', () => {
      beforeAll(async () => {
        await createPool(9);
      });

      it.each<[string, Partial<Parameters<IpAllocationService['allocate']>[0]>, string]>([
        ['not an address', { address: '10.201.9' }, 'must be an IPv4 address or "auto"'],
        ['the gateway', { address: '10.201.9.1' }, 'is the gateway of 10.201.9.0/24'],
        ['the network address', { address: '10.201.9.0' }, 'is not a host address of 10.201.9.0/24'],
        ['the broadcast address', { address: '10.201.9.255' }, 'is not a host address of 10.201.9.0/24'],
        ['in a pool of another bridge', { address: '10.201.9.60', bridge: 'vmbrt0' }, 'belongs to IP pool'],
        ['in no pool, without a subnet', { address: '10.209.0.5' }, 'is in no IP pool'],
        [
          'in no pool, its gateway outside the subnet',
          { address: '10.209.0.5', subnet: { prefix: 24, gateway: '10.209.1.1' } },
          'gateway 10.209.1.1 is not a host of 10.209.0.0/24',
        ],
        [
          'in no pool, the subnet’s gateway itself',
          { address: '10.209.0.1', subnet: { prefix: 24, gateway: '10.209.0.1' } },
          'is the gateway of 10.209.0.0/24',
        ],
        [
          'on a bridge with no pool, for "auto"',
          { address: 'auto', bridge: 'vmbrtnone' },
          'no IP pool on bridge vmbrtnone',
        ],
      ])('refuses an address %s, naming the field', async (_case, change, problem) => {
        await expect(
          allocations.allocate({
            owner: 'server:explicit',
            nic: 0,
            bridge: 'vmbrt9',
            address: 'auto',
            field: 'network_devices[0].ip_address',
            ...change,
          }),
        ).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
          fields: { 'network_devices[0].ip_address': expect.stringContaining(problem) as string },
        });
      });
    });

    it('names the caller’s field for a malformed bridge', async () => {
      await expect(
        allocations.allocate({
          owner: 'server:bridgeless',
          nic: 0,
          bridge: 'not a bridge',
          address: 'auto',
          bridgeField: 'network_devices[1].bridge',
        }),
      ).rejects.toMatchObject({
        fields: { 'network_devices[1].bridge': 'must be a bridge name such as vmbr0' },
      });
    });

    it('accepts an explicit address anywhere in its pool’s network, or in a subnet given outside every pool', async () => {
      await createPool(10);
      const pinned = await allocations.allocate({
        owner: 'server:pinned',
        nic: 0,
        bridge: 'vmbrt10',
        address: '10.201.10.200',
      });
      expect(pinned).toMatchObject({
        address: '10.201.10.200',
        prefix: 24,
        gateway: '10.201.10.1',
        dns: ['10.201.10.1'],
      });
      const outside = await allocations.allocate({
        owner: 'server:outside',
        nic: 0,
        bridge: 'vmbrt10',
        address: '10.210.0.5',
        subnet: { prefix: 16, gateway: '10.210.0.1' },
      });
      expect(outside).toMatchObject({
        address: '10.210.0.5',
        prefix: 16,
        gateway: '10.210.0.1',
        poolId: null,
        dns: [],
      });
      // Taken now: another owner cannot have it, and its holder gets it again.
      await expect(
        allocations.allocate({ owner: 'server:other', nic: 0, bridge: 'vmbrt10', address: '10.201.10.200' }),
      ).rejects.toMatchObject({ fields: { ip_address: 'is already in use (server:pinned)' } });
      expect(
        (
          await allocations.allocate({
            owner: 'server:pinned',
            nic: 0,
            bridge: 'vmbrt10',
            address: '10.201.10.200',
          })
        ).address,
      ).toBe('10.201.10.200');
      await expect(
        allocations.allocate({ owner: 'server:pinned', nic: 0, bridge: 'vmbrt10', address: '10.201.10.201' }),
      ).rejects.toMatchObject({ code: 'CONFLICT' });
    });

    it('counts an address given before its pool existed: the new pool adopts it and "auto" skips it', async () => {
      await allocations.allocate({
        owner: 'server:early',
        nic: 0,
        bridge: 'vmbrt15',
        address: '10.201.15.50',
        subnet: { prefix: 24, gateway: '10.201.15.1' },
      });
      const created = await createPool(15, { range_start: '10.201.15.50', range_end: '10.201.15.51' });
      expect(created).toMatchObject({ capacity: 2, allocated: 1, free: 1 });
      expect(
        (await allocations.allocate({ owner: 'server:late', nic: 0, bridge: 'vmbrt15', address: 'auto' }))
          .address,
      ).toBe('10.201.15.51');
      expect((await admin.request('DELETE', `/api/ip_pools/${String(created.id)}`)).status).toBe(409);
    });

    it('checks without allocating', async () => {
      await createPool(11);
      const lease = await allocations.check({
        owner: 'server:checked',
        nic: 0,
        bridge: 'vmbrt11',
        address: 'auto',
      });
      expect(lease.address).toBe('10.201.11.10');
      expect(await allocations.list({ owner: 'server:checked' })).toEqual([]);
      await expect(
        allocations.check({ owner: 'server:checked', nic: 0, bridge: 'vmbrt11', address: '10.201.11.1' }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    });
  });

  describe('pools holding addresses', () => {
    it('cannot be deleted (409 saying how many) until they are released', async () => {
      const created = await createPool(12);
      await allocations.allocate({ owner: 'server:holder', nic: 0, bridge: 'vmbrt12', address: 'auto' });
      await allocations.allocate({ owner: 'server:holder', nic: 1, bridge: 'vmbrt12', address: 'auto' });
      const refused = await admin.request('DELETE', `/api/ip_pools/${String(created.id)}`);
      expect(refused.status).toBe(409);
      expect(refused.json<ErrorBody>()).toMatchObject({ code: 'CONFLICT', details: { allocations: 2 } });
      expect(refused.json<ErrorBody>().error).toContain(
        '(10.201.12.0/24 on vmbrt12) has 2 addresses allocated',
      );
      await allocations.release('server:holder');
      expect((await admin.request('DELETE', `/api/ip_pools/${String(created.id)}`)).status).toBe(200);
    });

    it('keep their addresses inside when changed, and their bridge', async () => {
      const created = await createPool(13);
      await allocations.allocate({
        owner: 'server:keeper',
        nic: 0,
        bridge: 'vmbrt13',
        address: '10.201.13.200',
      });
      const response = await admin.request('PUT', `/api/ip_pools/${String(created.id)}`, {
        body: definition(13, { bridge: 'vmbrt14', cidr: '10.201.13.0/25', gateway: '10.201.13.1' }),
      });
      expect(response.status).toBe(400);
      expect(response.json<ErrorBody>().details?.fields).toEqual({
        cidr: 'must still hold the addresses in use: 10.201.13.200',
        bridge: 'must stay vmbrt13 while the pool holds addresses (1 in use)',
      });
      const gateway = await admin.request('PUT', `/api/ip_pools/${String(created.id)}`, {
        body: definition(13, { gateway: '10.201.13.200' }),
      });
      expect(gateway.json<ErrorBody>().details?.fields).toEqual({ gateway: 'is in use by server:keeper' });
    });
  });
});
