import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testRedisUrl } from '@proxdeck/testing';
import { AppConfig } from '../../src/platform/config/app-config';
import { parseConfig } from '../../src/platform/config/config.schema';

export const ADMIN_PASSWORD = 'integration-admin-pass';

/** The integration run's database (made by the global setup). */
export function integrationDatabaseUrl(): string {
  const url = process.env.PROXDECK_IT_DATABASE_URL;
  if (!url) throw new Error('PROXDECK_IT_DATABASE_URL is not set: run through jest.integration.config.cjs');
  return url;
}

/**
 * Settings for an in-process test stack: the run's database, the machine's Redis under a fresh key prefix
 * (give the same REDIS_PREFIX to stacks that must share queues and sessions), a data directory of its own.
 */
export function testConfig(
  env: Record<string, string> = {},
  processRole: AppConfig['processRole'] = 'api',
): AppConfig {
  return new AppConfig(
    parseConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: integrationDatabaseUrl(),
      REDIS_URL: testRedisUrl(),
      REDIS_PREFIX: `pdit-${randomBytes(4).toString('hex')}`,
      ADMIN_USERNAME: 'admin',
      ADMIN_PASSWORD,
      WEB_DIST_DIR: '/nonexistent-web-dist',
      PVE_SIM_PORT: '0',
      PVE_SIM_TIME_SCALE: '0.01',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'proxdeck-it-data-')),
      ...env,
    }),
    processRole,
  );
}
