import { SetMetadata } from '@nestjs/common';
import type { JobHandlerFunction } from './job-context';
import type { JobTable, JobTypeOf } from './job-table';
import type { AppJobs } from './jobs';

export const JOB_HANDLER = 'proxdeck:job-handler';

/** Only `value` is checked: the decorated method must be a handler of job type T. */
type HandlerDecorator<T extends JobTypeOf<Table>, Table extends JobTable> = (
  target: object,
  key: string | symbol,
  descriptor: { value?: JobHandlerFunction<T, Table> },
) => void;

/**
 * The @JobHandler decorator of a job table. The method's signature is checked against the job type: a
 * handler for `a.b` whose context is that of `c.d` does not compile.
 */
export function jobHandlerDecoratorFor<Table extends JobTable>() {
  return <T extends JobTypeOf<Table>>(type: T): HandlerDecorator<T, Table> =>
    (target, key, descriptor) => {
      SetMetadata(JOB_HANDLER, type)(target, key, descriptor as PropertyDescriptor);
    };
}

/** Marks a provider method as the processor of one job type of the application. Exactly one per type. */
export const JobHandler = jobHandlerDecoratorFor<AppJobs>();
