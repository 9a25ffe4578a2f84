import { Injectable } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import { JobHandler, type JobContext, type JobResult } from '../../platform/queue/job-handler.decorator';

/** The test jobs: a short one that echoes, one that fails on purpose. */
@Injectable()
export class SelftestJobs {
  @JobHandler('test.simple')
  async simple(context: JobContext<'test.simple'>): Promise<JobResult> {
    const steps = 4;
    for (let step = 1; step <= steps; step += 1) {
      await delay(context.payload.duration_ms / steps);
      await context.progress((step / steps) * 100, `Step ${step} of ${steps}`);
    }
    return { echo: context.payload.echo, attempt: context.attempt };
  }

  @JobHandler('test.error')
  async error(context: JobContext<'test.error'>): Promise<JobResult> {
    await delay(context.payload.duration_ms);
    throw new Error(context.payload.message);
  }
}
