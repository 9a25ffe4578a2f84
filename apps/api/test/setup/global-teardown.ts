import { dropTestDatabase } from '@proxdeck/testing';

export default async function globalTeardown(): Promise<void> {
  const name = process.env.PROXDECK_IT_DATABASE_NAME;
  if (name) await dropTestDatabase(name);
}
