/** The backups module's public surface. */
export { BackupsModule } from './backups.module';
