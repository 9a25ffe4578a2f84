/** The monitoring module's public surface. */
export { MonitoringModule } from './monitoring.module';
