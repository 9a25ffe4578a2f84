import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiExtraModels, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppConfig } from '../../platform/config/app-config';
import { Authenticated, RequirePermission } from '../../platform/access/access.decorators';
import { CurrentPrincipal, type Principal } from '../../platform/access/principal';
import { Page, TaskAccepted } from '../../platform/http/envelope';
import { ApiEnvelope, ApiListEnvelope, ApiTaskAccepted } from '../../platform/openapi/api-envelope.decorator';
import { JobQueue } from '../../platform/queue/job-queue';
import { Scheduler } from '../../platform/queue/scheduler';
import { WorkerRegistry } from '../../platform/queue/worker-registry';
import { QueueCountsDto, QueueHealthDto, TaskConfigDto, TaskDto, TaskListQueryDto } from './task.dto';
import { TasksService } from './tasks.service';

@ApiTags('tasks')
@ApiExtraModels(QueueCountsDto)
@Controller('api')
export class TasksController {
  constructor(
    private readonly tasks: TasksService,
    private readonly jobs: JobQueue,
    private readonly workers: WorkerRegistry,
    private readonly scheduler: Scheduler,
    private readonly config: AppConfig,
  ) {}

  @Get('tasks/status')
  @Authenticated()
  @ApiOperation({ summary: "The caller's tasks (all tasks with view_all), newest first" })
  @ApiListEnvelope(TaskDto)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: TaskListQueryDto,
  ): Promise<Page<TaskDto>> {
    const { items, total } = await this.tasks.list(principal, query);
    return Page.of(
      items.map((task) => TaskDto.from(task)),
      total,
      query.page,
      query.per_page,
    );
  }

  @Get('tasks/config')
  @Authenticated()
  @ApiOperation({ summary: 'How clients should follow tasks' })
  @ApiEnvelope(TaskConfigDto)
  taskConfig(): TaskConfigDto {
    const values = this.config.values;
    return {
      poll_interval_ms: values.TASK_POLL_INTERVAL_MS,
      task_timeout_s: values.TASK_TIMEOUT_S,
      concurrency: {
        per_node: values.TASK_CONCURRENCY_PER_NODE,
        per_storage: values.TASK_CONCURRENCY_PER_STORAGE,
      },
      sse: true,
    };
  }

  @Get('tasks/:task_id/status')
  @Authenticated()
  @ApiOperation({
    summary: 'One task (own, or any with view_all)',
    description:
      'The first time its creator reads a finished task, secrets it made for them (generated VM passwords) are ' +
      'in result.secrets; they are not kept, and no later read shows them.',
  })
  @ApiEnvelope(TaskDto)
  async status(@CurrentPrincipal() principal: Principal, @Param('task_id') taskId: string): Promise<TaskDto> {
    return this.tasks.readStatus(taskId, principal);
  }

  @Post('tasks/:task_id/retry')
  @HttpCode(202)
  @Authenticated()
  @ApiOperation({
    summary: 'Runs an ended task again for its failed and cancelled items only',
    description:
      'Its creator only, holding the permission its type needs (create_server for a creation); 409 when the ' +
      'task has not ended, has nothing to retry, or its type cannot be retried.',
  })
  @ApiTaskAccepted()
  async retry(
    @CurrentPrincipal() principal: Principal,
    @Param('task_id') taskId: string,
  ): Promise<TaskAccepted> {
    return this.tasks.retry(taskId, principal);
  }

  @Post('tasks/:task_id/cancel')
  @HttpCode(202)
  @Authenticated()
  @ApiOperation({
    summary: 'Cancels the items of a task not started yet; running ones end as they do',
    description:
      'Its creator, or anyone with the permission its type names (manage_servers for server tasks); 409 when ' +
      'the task has ended or its type cannot be cancelled.',
  })
  @ApiTaskAccepted()
  async cancel(
    @CurrentPrincipal() principal: Principal,
    @Param('task_id') taskId: string,
  ): Promise<TaskAccepted> {
    return this.tasks.cancel(taskId, principal);
  }

  @Get('celery/status')
  @RequirePermission('view_all')
  @ApiOperation({
    summary: 'Queue health: workers, job counts and recurring jobs (the name is kept for old clients)',
  })
  @ApiEnvelope(QueueHealthDto)
  async queueHealth(): Promise<QueueHealthDto> {
    const workers = await this.workers.list();
    const queues: QueueHealthDto['queues'] = {};
    for (const [name, counts] of Object.entries(await this.jobs.counts())) {
      queues[name] = {
        waiting: counts.waiting,
        active: counts.active,
        completed: counts.completed,
        failed: counts.failed,
        delayed: counts.delayed,
      };
    }
    const all = Object.values(queues);
    return {
      workers,
      worker_count: workers.length,
      queues,
      active_tasks: all.reduce((sum, counts) => sum + counts.active, 0),
      queue_length: all.reduce((sum, counts) => sum + counts.waiting + counts.delayed, 0),
      schedules: await this.scheduler.status(),
    };
  }
}
