import { Client } from 'pg';
import type { DataSource } from 'typeorm';

function adminUrl(databaseUrl: string): { url: string; database: string } {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_-]+$/.test(database)) throw new Error(`Unsupported database name "${database}"`);
  url.pathname = '/postgres';
  return { url: url.toString(), database };
}

/** Creates the database named by the URL when it does not exist yet (first start, tests). */
export async function createDatabaseIfMissing(databaseUrl: string): Promise<boolean> {
  const { url, database } = adminUrl(databaseUrl);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rowCount) return false;
    await client.query(`CREATE DATABASE "${database}"`);
    return true;
  } finally {
    await client.end();
  }
}

export async function dropDatabase(databaseUrl: string): Promise<void> {
  const { url, database } = adminUrl(databaseUrl);
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** The SQL that would bring the database to the entities' shape: empty when migrations and entities agree. */
export async function pendingSchemaChanges(
  dataSource: DataSource,
): Promise<{ up: string[]; down: string[] }> {
  const sql = await dataSource.driver.createSchemaBuilder().log();
  return {
    up: sql.upQueries.map((query) => query.query),
    down: sql.downQueries.map((query) => query.query),
  };
}
