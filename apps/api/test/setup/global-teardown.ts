import { Client } from 'pg';
import { testServerUrl } from '@proxdeck/testing';

export default async function globalTeardown(): Promise<void> {
  const name = process.env.PROXDECK_IT_DATABASE_NAME;
  if (!name) return;
  const client = new Client({ connectionString: testServerUrl() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}
