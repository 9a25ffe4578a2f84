import { createTestDatabase, type TestDatabase } from '@proxdeck/testing';
import type { DataSource } from 'typeorm';
import { seedSimulatorIpPool } from '../../src/modules/ip-pools';
import { IpPool } from '../../src/modules/ip-pools/ip-pool.entity';
import { seedDatabase } from '../../src/seed';
import { createDataSource } from '../../src/platform/database/data-source';
import { testConfig } from '../support/test-config';

/** The seed's IP pool for the embedded simulator's bridge (Quick start creates servers at once). */
describe('the simulator’s IP pool (seed)', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  // A database of its own: the run's shared database has the pool from every test app's start.
  beforeEach(async () => {
    database = await createTestDatabase('proxdeck_it_pool_seed');
    dataSource = await createDataSource(database.url).initialize();
    await dataSource.runMigrations();
  });
  afterEach(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  const pools = () => dataSource.getRepository(IpPool).find();
  const seed = (env: Record<string, string> = {}) =>
    seedDatabase(dataSource, testConfig({ DATABASE_URL: database.url, ...env }));

  it('is created once with the embedded simulator, however often the seed runs', async () => {
    const reports = [...(await seed()), ...(await seed())];
    expect(reports.filter((line) => line.startsWith('IP pool'))).toEqual([
      "IP pool 10.10.0.0/24 for the simulator's vmbr0: created",
      "IP pool 10.10.0.0/24 for the simulator's vmbr0: exists",
    ]);
    expect(await pools()).toEqual([
      expect.objectContaining({
        bridge: 'vmbr0',
        cidr: '10.10.0.0/24',
        gateway: '10.10.0.1',
        rangeStart: '10.10.0.100',
        rangeEnd: '10.10.0.250',
        dns: ['10.10.0.1'],
      }),
    ]);
  });

  it('is created once by seeds running at once (API processes starting together)', async () => {
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => seedSimulatorIpPool(dataSource)));
    expect(outcomes.sort()).toEqual(['created', 'exists', 'exists', 'exists']);
    expect(await pools()).toHaveLength(1);
  });

  it('leaves alone an installation whose administrator defined a pool for that bridge', async () => {
    await dataSource.getRepository(IpPool).save({
      bridge: 'vmbr0',
      cidr: '192.168.50.0/24',
      gateway: '192.168.50.1',
      rangeStart: '192.168.50.10',
      rangeEnd: '192.168.50.20',
      dns: [],
    });
    await seed();
    expect((await pools()).map((pool) => pool.cidr)).toEqual(['192.168.50.0/24']);
  });

  it('is not created for a real cluster', async () => {
    const report = await seed({
      PVE_URL: 'https://pve.example:8006',
      PVE_TOKEN_ID: 'root@pam!t',
      PVE_TOKEN_SECRET: 's',
    });
    expect(report.some((line) => line.startsWith('IP pool'))).toBe(false);
    expect(await pools()).toEqual([]);
  });
});
