import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../platform/config/app-config';
import type { JobContext, JobResult } from '../../platform/queue/job-context';
import { JobHandler } from '../../platform/queue/job-handler.decorator';
import { RolesService } from './roles.service';

/**
 * Role runs: one item per server, ROLE_RUN_CONCURRENCY at a time; an apply that replaces first removes the
 * server's other role, as a step of its own (a retry after a crash does not remove it twice).
 */
@Injectable()
export class RolesJobs {
  constructor(
    private readonly roles: RolesService,
    private readonly config: AppConfig,
  ) {}

  @JobHandler('roles.run')
  async run(context: JobContext<'roles.run'>): Promise<JobResult> {
    const runs: Record<string, number> = {};
    await context.forEachItem(
      async (item) => {
        if (context.payload.replace === true)
          await item.step('remove-previous', () =>
            this.roles.removePrevious(item.name, context.payload, context.taskId, context.createdBy),
          );
        const outcome = await item.step('ansible', () =>
          this.roles.perform(item.name, context.payload, context.taskId, context.createdBy),
        );
        runs[item.name] = outcome.run_id;
      },
      { concurrency: this.config.values.ROLE_RUN_CONCURRENCY },
    );
    return { action: context.payload.action, role: context.payload.role, runs };
  }
}
