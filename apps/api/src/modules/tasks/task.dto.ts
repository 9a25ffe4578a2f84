import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TASK_ITEM_STATUSES, TASK_STATUSES, type TaskItemStatus, type TaskStatus } from '@proxdeck/contracts';
import { JOB_TYPES, type JobType } from '../../platform/queue/jobs';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../platform/http/page-query.dto';
import type { Task } from '../../platform/queue/task.entity';

export class TaskItemDto {
  @ApiProperty() name!: string;
  @ApiProperty({ enum: TASK_ITEM_STATUSES }) status!: TaskItemStatus;
  @ApiProperty({ type: String, nullable: true }) step!: string | null;
  @ApiProperty() progress!: number;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ type: [String] }) pve_upids!: string[];
  @ApiProperty({ type: [String], description: 'Steps finished so far, in order (a retry skips them)' })
  steps_done!: string[];
}

/** The task object of docs/api.md §4. */
export class TaskDto {
  @ApiProperty({ format: 'uuid' }) task_id!: string;
  @ApiProperty({ enum: JOB_TYPES }) type!: JobType;
  @ApiProperty({ enum: TASK_STATUSES }) status!: TaskStatus;
  @ApiProperty({ minimum: 0, maximum: 100 }) progress!: number;
  @ApiProperty({ type: String, nullable: true }) message!: string | null;
  @ApiProperty({ type: [TaskItemDto] }) items!: TaskItemDto[];
  @ApiProperty({ type: [String], description: 'Task-level steps finished so far, in order' })
  steps_done!: string[];
  @ApiProperty({ type: Object, nullable: true, additionalProperties: true }) result!: Record<
    string,
    unknown
  > | null;
  @ApiProperty({ type: String, nullable: true }) error!: string | null;
  @ApiProperty({ description: 'Tries so far' }) attempts!: number;
  @ApiProperty({ type: Number, nullable: true }) created_by!: number | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) started_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) finished_at!: string | null;

  static from(task: Task): TaskDto {
    return {
      task_id: task.id,
      type: task.type as JobType,
      status: task.status,
      progress: task.progress,
      message: task.message,
      // Step outputs stay internal (they may hold what a later step needs, not what a client should see).
      items: task.items.map((item) => ({
        name: item.name,
        status: item.status,
        step: item.step,
        progress: item.progress,
        error: item.error,
        pve_upids: item.pve_upids,
        steps_done: (item.steps ?? []).map((step) => step.name),
      })),
      steps_done: task.steps.map((step) => step.name),
      result: task.result,
      error: task.error,
      attempts: task.attempts,
      created_by: task.createdBy,
      created_at: task.createdAt.toISOString(),
      started_at: task.startedAt?.toISOString() ?? null,
      finished_at: task.finishedAt?.toISOString() ?? null,
    };
  }
}

export class TaskListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: TASK_STATUSES })
  @IsOptional()
  @IsIn(TASK_STATUSES)
  status?: TaskStatus;

  @ApiPropertyOptional({ enum: JOB_TYPES })
  @IsOptional()
  @IsIn(JOB_TYPES)
  type?: JobType;
}

export class TaskConfigDto {
  @ApiProperty() poll_interval_ms!: number;
  @ApiProperty() task_timeout_s!: number;
  @ApiProperty() concurrency!: { per_node: number; per_storage: number };
  @ApiProperty() sse!: boolean;
}

export class WorkerDto {
  @ApiProperty() id!: string;
  @ApiProperty() host!: string;
  @ApiProperty() pid!: number;
  @ApiProperty({ type: [String] }) queues!: string[];
  @ApiProperty({ format: 'date-time' }) started_at!: string;
}

export class QueueCountsDto {
  @ApiProperty() waiting!: number;
  @ApiProperty() active!: number;
  @ApiProperty() completed!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() delayed!: number;
}

export class ScheduledRunDto {
  @ApiProperty({ format: 'date-time', description: 'The period it ran for' }) scheduled_for!: string;
  @ApiProperty({ format: 'date-time' }) started_at!: string;
  @ApiProperty({ format: 'date-time' }) finished_at!: string;
  @ApiProperty({ enum: ['ok', 'failed', 'skipped'] }) status!: 'ok' | 'failed' | 'skipped';
  @ApiPropertyOptional({ type: Object, additionalProperties: true, description: "The job's report" })
  result?: unknown;
  @ApiPropertyOptional() error?: string;
  @ApiProperty({ description: 'host:pid of the process that ran it' }) worker!: string;
  @ApiProperty() duration_ms!: number;
}

export class ScheduleStatusDto {
  @ApiProperty() name!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ example: 'every 30000 ms' }) schedule!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) next_run_at!: string | null;
  @ApiProperty({ type: [ScheduledRunDto], description: 'Newest first' }) recent_runs!: ScheduledRunDto[];
}

export class QueueHealthDto {
  @ApiProperty({ type: [WorkerDto] }) workers!: WorkerDto[];
  @ApiProperty() worker_count!: number;
  @ApiProperty({ type: 'object', additionalProperties: { $ref: '#/components/schemas/QueueCountsDto' } })
  queues!: Record<string, QueueCountsDto>;
  @ApiProperty() active_tasks!: number;
  @ApiProperty() queue_length!: number;
  @ApiProperty({ type: [ScheduleStatusDto], description: 'Recurring jobs: each runs once per period' })
  schedules!: ScheduleStatusDto[];
}
