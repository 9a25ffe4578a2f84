import { join } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ApiToken } from '../../modules/users/api-token.entity';
import { User } from '../../modules/users/user.entity';
import { Task } from '../../modules/tasks/task.entity';

/** Every entity of the application, listed once. The migration check compares them with the migrations. */
export const ENTITIES = [User, ApiToken, Task];

export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: ENTITIES,
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
