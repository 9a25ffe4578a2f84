import { createTestDatabase } from '@proxdeck/testing';

/** One fresh database for the integration run; its URL reaches the test files through the environment. */
export default async function globalSetup(): Promise<void> {
  const database = await createTestDatabase('proxdeck_it');
  process.env.PROXDECK_IT_DATABASE_URL = database.url;
  process.env.PROXDECK_IT_DATABASE_NAME = database.name;
}
