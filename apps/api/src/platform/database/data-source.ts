import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';

/**
 * Every entity of the application, found by its file name: each domain keeps its entities in
 * `<thing>.entity.ts` files, and the data source loads them all, with no central list to keep. The migration
 * check compares them with the migrations.
 */
export const ENTITY_FILES = join(__dirname, '..', '..', '**', '*.entity.{js,ts}');

export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: [ENTITY_FILES],
    migrations: [join(__dirname, 'migrations', '*.{ts,js}')],
    migrationsTableName: 'migrations',
    uuidExtension: 'pgcrypto',
    synchronize: false,
    migrationsRun: false,
    logging: ['error'],
    extra: { max: 10, application_name: 'proxdeck' },
  };
}

export function createDataSource(databaseUrl: string): DataSource {
  return new DataSource(dataSourceOptions(databaseUrl));
}
