import { Injectable } from '@nestjs/common';
import { setTimeout as delay } from 'node:timers/promises';
import type { JobContext, JobResult } from '../../platform/queue/job-context';
import { JobHandler } from '../../platform/queue/job-handler.decorator';

const STEPS = 4;

/**
 * The test jobs: one that echoes after four recorded steps (a retry after a crash resumes at the first
 * unfinished step; the result says which try ran each step), and one that fails on purpose.
 */
@Injectable()
export class SelftestJobs {
  @JobHandler('test.simple')
  async simple(context: JobContext<'test.simple'>): Promise<JobResult> {
    const ranOnTry: Record<string, number> = {};
    for (let index = 1; index <= STEPS; index += 1) {
      const name = `step-${index}`;
      ranOnTry[name] = await context.step(name, async () => {
        await delay(context.payload.duration_ms / STEPS);
        return context.attempt;
      });
      await context.progress((index / STEPS) * 100, `Step ${index} of ${STEPS}`);
    }
    return { echo: context.payload.echo, attempt: context.attempt, steps: ranOnTry };
  }

  @JobHandler('test.error')
  async error(context: JobContext<'test.error'>): Promise<JobResult> {
    await delay(context.payload.duration_ms);
    throw new Error(context.payload.message);
  }
}
