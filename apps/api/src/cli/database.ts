/**
 * Database commands: `migrate`, `check` (entities and migrations agree), `generate <Name>`, `seed`, `reset`.
 * Run on the built API: `node apps/api/dist/cli/database.js <command>` (see project.json).
 */
import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig } from '../platform/config/app-config';
import { createDataSource } from '../platform/database/data-source';
import {
  createDatabaseIfMissing,
  dropDatabase,
  pendingSchemaChanges,
} from '../platform/database/database-admin';
import { seedDatabase } from '../seed';

const MIGRATIONS_SOURCE_DIR = resolve(__dirname, '../../src/platform/database/migrations');

async function main(): Promise<void> {
  const [command, argument] = process.argv.slice(2);
  const config = loadConfig();
  const url = config.values.DATABASE_URL;

  if (command === 'reset') {
    await dropDatabase(url);
    console.log('database dropped');
  }
  await createDatabaseIfMissing(url);
  const dataSource = await createDataSource(url).initialize();
  try {
    switch (command) {
      case 'migrate':
      case 'reset': {
        const applied = await dataSource.runMigrations({ transaction: 'each' });
        console.log(`migrations applied: ${applied.length ? applied.map((m) => m.name).join(', ') : 'none'}`);
        if (command === 'reset') await seed(dataSource, config);
        break;
      }
      case 'seed':
        await seed(dataSource, config);
        break;
      case 'check': {
        await dataSource.runMigrations({ transaction: 'each' });
        const pending = await pendingSchemaChanges(dataSource);
        if (pending.up.length > 0) {
          console.error('Entities and migrations disagree. Missing from the migrations:');
          for (const query of pending.up) console.error(`  ${query};`);
          console.error('Run: npm run db:generate -- <Name>');
          process.exitCode = 1;
        } else {
          console.log('migrations match the entities');
        }
        break;
      }
      case 'generate': {
        if (!argument || !/^[A-Z][A-Za-z0-9]+$/.test(argument))
          throw new Error('usage: generate <PascalCaseName>');
        await dataSource.runMigrations({ transaction: 'each' });
        const pending = await pendingSchemaChanges(dataSource);
        if (pending.up.length === 0) {
          console.log('no changes');
          break;
        }
        const timestamp = Date.now();
        const className = `${argument}${timestamp}`;
        const quote = (query: string): string => `    await queryRunner.query(${JSON.stringify(query)});`;
        const file = join(MIGRATIONS_SOURCE_DIR, `${timestamp}-${argument}.ts`);
        writeFileSync(
          file,
          `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  public async up(queryRunner: QueryRunner): Promise<void> {
${pending.up.map(quote).join('\n')}
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
${pending.down.reverse().map(quote).join('\n')}
  }
}
`,
        );
        console.log(`wrote ${file}`);
        break;
      }
      default:
        throw new Error(
          `unknown command "${command ?? ''}": migrate | check | generate <Name> | seed | reset`,
        );
    }
  } finally {
    await dataSource.destroy();
  }
}

async function seed(
  dataSource: Parameters<typeof seedDatabase>[0],
  config: ReturnType<typeof loadConfig>,
): Promise<void> {
  const report = await seedDatabase(dataSource, config);
  console.log(report.join('\n'));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
