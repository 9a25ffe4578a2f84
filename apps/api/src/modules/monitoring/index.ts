/** The monitoring module's public surface. */
export { MonitoringModule } from './monitoring.module';
export { AlertsService } from './alerts.service';
