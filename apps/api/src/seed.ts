import type { DataSource } from 'typeorm';
import { seedSimulatorIpPool, SIMULATOR_POOL } from './modules/ip-pools';
import { announceInitialAdmin, seedInitialAdmin } from './modules/users';
import type { AppConfig } from './platform/config/app-config';

/**
 * Idempotent seed: what a fresh install needs for every screen to make sense (the first administrator; with
 * the built-in simulator, an IP pool for its bridge so that servers can be created at once). Safe to run at every start.
 * Lives beside the application module because it calls into domain modules, which the platform must not.
 */
export async function seedDatabase(dataSource: DataSource, config: AppConfig): Promise<string[]> {
  const report: string[] = [];
  const admin = await seedInitialAdmin(
    dataSource,
    config.values.ADMIN_USERNAME,
    config.values.ADMIN_PASSWORD,
  );
  announceInitialAdmin(admin, (text) => {
    process.stdout.write(`${text}\n`);
  });
  report.push(`administrator "${admin.username}": ${admin.action}`);
  if (config.usesSimulator) {
    const pool = await seedSimulatorIpPool(dataSource);
    report.push(`IP pool ${SIMULATOR_POOL.cidr} for the simulator's ${SIMULATOR_POOL.bridge}: ${pool}`);
  }
  return report;
}
