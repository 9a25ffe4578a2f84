import { createTestDatabase, type TestDatabase } from '@proxdeck/testing';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/platform/database/data-source';
import { pendingSchemaChanges } from '../../src/platform/database/database-admin';

describe('migrations against the entities', () => {
  let database: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    database = await createTestDatabase('proxdeck_it_migrations');
    dataSource = await createDataSource(database.url).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await database.drop();
  });

  it('bring an empty database exactly to the entities, and the check sees a difference', async () => {
    await dataSource.runMigrations();
    expect((await pendingSchemaChanges(dataSource)).up).toEqual([]);

    await dataSource.query('ALTER TABLE "tasks" DROP COLUMN "error"');
    const pending = await pendingSchemaChanges(dataSource);
    expect(pending.up.join('\n')).toMatch(/ALTER TABLE "tasks" ADD "error" text/);
  });

  it('can be reverted to nothing', async () => {
    await dataSource.query('ALTER TABLE "tasks" ADD "error" text');
    while (
      (await dataSource.query<{ count: string }[]>('SELECT count(*) FROM migrations'))[0]?.count !== '0'
    ) {
      await dataSource.undoLastMigration();
    }
    const tables = await dataSource.query<{ table_name: string }[]>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'migrations'",
    );
    expect(tables).toEqual([]);
  });
});
