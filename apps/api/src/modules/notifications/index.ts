/** The notifications module's public surface: other modules raise notifications through the service. */
export { NotificationsModule } from './notifications.module';
export { NotificationsService } from './notifications.service';
export type { NewNotification } from './notifications.service';
export { NOTIFICATION_SEVERITIES } from './notification.entity';
export type { NotificationSeverity } from './notification.entity';
