import type { AppConfigValues } from '../config/config.schema';
import type { Schedule } from '../config/schedule';

/** The settings that hold a schedule (`SCHEDULE_*`). */
export type ScheduleSetting = {
  [K in keyof AppConfigValues]-?: AppConfigValues[K] extends Schedule ? K : never;
}[keyof AppConfigValues];

/** A recurring job: when it runs comes from a setting (or, in tests, is given), and what it is for. */
export interface ScheduleDefinition {
  schedule: ScheduleSetting | Schedule;
  description: string;
  /** Bull fails a run that takes longer; default 10 minutes. */
  timeoutMs?: number;
}

export type ScheduleTable = Readonly<Record<string, ScheduleDefinition>>;

/**
 * The platform's own recurring jobs. Every installation runs them, and every schedule table (the
 * application's, a test's) includes them, since their handlers are always present.
 */
export const PLATFORM_SCHEDULES = {
  'tasks.reconcile': {
    schedule: 'SCHEDULE_TASKS_RECONCILE',
    description:
      'Finds tasks whose Bull job was lost (a crash between the two writes) and enqueues them again',
  },
  'tasks.prune': {
    schedule: 'SCHEDULE_TASKS_PRUNE',
    description: 'Deletes finished tasks older than TASK_RETENTION_DAYS',
  },
} satisfies ScheduleTable;
