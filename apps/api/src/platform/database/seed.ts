import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { announceInitialAdmin, ensureInitialAdmin } from '../../modules/users/initial-admin';
import { User } from '../../modules/users/user.entity';

/** Idempotent seed: what a fresh install needs for every screen to make sense. Safe to run at every start. */
export async function seedDatabase(dataSource: DataSource, config: AppConfig): Promise<string[]> {
  const report: string[] = [];
  const admin = await ensureInitialAdmin(
    dataSource.getRepository(User),
    config.values.ADMIN_USERNAME,
    config.values.ADMIN_PASSWORD,
  );
  announceInitialAdmin(admin, (text) => {
    process.stdout.write(`${text}\n`);
  });
  report.push(`administrator "${admin.username}": ${admin.action}`);
  return report;
}
