import { SetMetadata } from '@nestjs/common';
import type { JsonValue } from './job-context';
import type { ScheduleTable } from './schedule-table';
import type { AppSchedules } from './schedules';

export const SCHEDULED_JOB = 'proxdeck:scheduled-job';

/** What a scheduled run reports (kept as its last result, shown by GET /api/celery/status). */
export type ScheduledResult = Record<string, JsonValue> | undefined;

type ScheduledDecorator = (
  target: object,
  key: string | symbol,
  descriptor: { value?: () => Promise<ScheduledResult> },
) => void;

/**
 * The @ScheduledJob decorator of a schedule table (given for the compiler only): the name must be one of the
 * table's.
 */
export function scheduledJobDecoratorFor<Table extends ScheduleTable>(
  _table?: Table,
): (name: keyof Table & string) => ScheduledDecorator {
  return (name) => (target, key, descriptor) => {
    SetMetadata(SCHEDULED_JOB, name)(target, key, descriptor as PropertyDescriptor);
  };
}

/** Marks a provider method as the handler of one recurring job of the application. Exactly one per name. */
export const ScheduledJob = scheduledJobDecoratorFor<AppSchedules>();
