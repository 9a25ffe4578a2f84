import { SetMetadata } from '@nestjs/common';
import type { TaskItemStatus, TaskType } from '@proxdeck/contracts';
import type { JobPayloads } from './jobs';

export const JOB_HANDLER = 'proxdeck:job-handler';

/** What a job handler gets: ids and the stored payload, and ways to report progress. */
export interface JobContext<T extends TaskType> {
  taskId: string;
  type: T;
  payload: JobPayloads[T];
  /** 1 on the first try. */
  attempt: number;
  createdBy: number | null;
  progress(percent: number, message?: string): Promise<void>;
  item(
    name: string,
    update: {
      status?: TaskItemStatus;
      step?: string;
      progress?: number;
      error?: string | null;
      upid?: string;
    },
  ): Promise<void>;
}

export type JobResult = Record<string, unknown> | undefined;

export type JobHandlerFunction<T extends TaskType> = (context: JobContext<T>) => Promise<JobResult>;

/** Marks a provider method as the processor of one job type. Exactly one per type; checked at boot. */
export const JobHandler = (type: TaskType): MethodDecorator => SetMetadata(JOB_HANDLER, type);
