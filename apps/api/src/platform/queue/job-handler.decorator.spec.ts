import { Reflector } from '@nestjs/core';
import type { JobContext, JobResult } from './job-context';
import { JOB_HANDLER, jobHandlerDecoratorFor } from './job-handler.decorator';
import { job, queueNamesOf } from './job-table';

const FIXTURE_JOBS = {
  'fixture.echo': job<{ echo: string }>({ queue: 'fixtures', attempts: 1, backoffMs: 0, timeoutMs: 1_000 }),
  'fixture.count': job<{ count: number }>({ queue: 'fixtures', attempts: 1, backoffMs: 0, timeoutMs: 1_000 }),
};
type FixtureJobs = typeof FIXTURE_JOBS;
const FixtureHandler = jobHandlerDecoratorFor<FixtureJobs>();

class Handlers {
  @FixtureHandler('fixture.echo')
  echo(context: JobContext<'fixture.echo', FixtureJobs>): Promise<JobResult> {
    return Promise.resolve({ echo: context.payload.echo });
  }

  // The compiler refuses a handler whose context is another job's: `npm run typecheck` fails if this
  // line compiles (the directive then has no error to expect).
  // @ts-expect-error -- a handler for fixture.count that takes the context of fixture.echo
  @FixtureHandler('fixture.count')
  mismatched(context: JobContext<'fixture.echo', FixtureJobs>): Promise<JobResult> {
    return Promise.resolve({ echo: context.payload.echo });
  }
}

describe('@JobHandler', () => {
  it('puts the jobs of a table on their queues', () => {
    expect(queueNamesOf(FIXTURE_JOBS)).toEqual(['fixtures']);
  });

  it('records the job type on the method', () => {
    const reflector = new Reflector();
    expect(reflector.get(JOB_HANDLER, Handlers.prototype.echo)).toBe('fixture.echo');
  });
});
