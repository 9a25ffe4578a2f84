import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import { ScheduledJob, type ScheduledResult } from '../../platform/queue/scheduled-job.decorator';
import { NotificationsService } from './notifications.service';

/** Recurring work of the notifications module. */
@Injectable()
export class NotificationsJobs {
  constructor(
    private readonly notifications: NotificationsService,
    private readonly config: AppConfig,
  ) {}

  /** Deletes notifications older than NOTIFICATION_RETENTION_DAYS. */
  @ScheduledJob('notifications.prune')
  async prune(): Promise<ScheduledResult> {
    const before = new Date(Date.now() - this.config.values.NOTIFICATION_RETENTION_DAYS * 86_400_000);
    return { deleted: await this.notifications.pruneBefore(before) };
  }
}
