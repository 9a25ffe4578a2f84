import { Injectable } from '@nestjs/common';
import type { JobContext, JobResult } from '../../platform/queue/job-context';
import { JobHandler } from '../../platform/queue/job-handler.decorator';
import { BackupJobsService } from './backup-jobs.service';
import { BackupsService } from './backups.service';

/** A backup of one server: vzdump followed to its end, its percentage lines as the task's progress. */
@Injectable()
export class BackupsJobs {
  constructor(
    private readonly backups: BackupsService,
    private readonly backupJobs: BackupJobsService,
  ) {}

  @JobHandler('backups.run')
  async run(context: JobContext<'backups.run'>): Promise<JobResult> {
    let result: JobResult;
    await context.forEachItem(
      async (item) => {
        const outcome = await this.backups.perform(item, context.payload, async (percent, message) => {
          await item.update({ progress: percent });
          await context.progress(percent, message);
        });
        result = outcome;
      },
      { concurrency: 1 },
    );
    return result;
  }

  /** "Run now" of a Proxmox backup job: its vzdump on each node, each followed to its end. */
  @JobHandler('backups.job-run')
  async jobRun(context: JobContext<'backups.job-run'>): Promise<JobResult> {
    let result: JobResult;
    await context.forEachItem(
      async (item) => {
        result = await this.backupJobs.performRun(item, context.payload.job);
      },
      { concurrency: 1 },
    );
    return result;
  }

  @JobHandler('backups.restore')
  async restore(context: JobContext<'backups.restore'>): Promise<JobResult> {
    let result: JobResult;
    await context.forEachItem(
      async (item) => {
        result = await this.backups.performRestore(item, context.payload);
      },
      { concurrency: 1 },
    );
    return result;
  }
}
