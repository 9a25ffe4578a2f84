import { Injectable } from '@nestjs/common';
import { AuditTrail } from '../../platform/audit/audit-trail';
import { AppConfig } from '../../platform/config/app-config';
import { ScheduledJob, type ScheduledResult } from '../../platform/queue/scheduled-job.decorator';

/** Recurring work on the audit trail. */
@Injectable()
export class AuditJobs {
  constructor(
    private readonly trail: AuditTrail,
    private readonly config: AppConfig,
  ) {}

  /** Deletes audit entries older than AUDIT_RETENTION_DAYS. */
  @ScheduledJob('audit.prune')
  async prune(): Promise<ScheduledResult> {
    const before = new Date(Date.now() - this.config.values.AUDIT_RETENTION_DAYS * 86_400_000);
    return { deleted: await this.trail.pruneBefore(before) };
  }
}
