import { Injectable } from '@nestjs/common';
import { ScheduledJob, type ScheduledResult } from '../../platform/queue/scheduled-job.decorator';
import { AlertsService } from './alerts.service';

/** The alert checker, once per SCHEDULE_ALERTS_CHECK across the installation. */
@Injectable()
export class AlertsJobs {
  constructor(private readonly alerts: AlertsService) {}

  @ScheduledJob('monitoring.alerts_check')
  async check(): Promise<ScheduledResult> {
    const outcome = await this.alerts.check();
    return { ...outcome };
  }
}
