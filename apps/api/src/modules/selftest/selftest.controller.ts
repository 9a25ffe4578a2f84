import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../../platform/access/access.decorators';
import { CurrentPrincipal, type Principal } from '../../platform/access/principal';
import { TaskAccepted } from '../../platform/http/envelope';
import { NotFoundError } from '../../platform/errors/app-error';
import { ApiEnvelope, ApiTaskAccepted } from '../../platform/openapi/api-envelope.decorator';
import { JobQueue } from '../../platform/queue/job-queue';
import { NotificationsService } from '../notifications';
import { ErrorTestDto, SimpleTestDto, TestNotificationDto, TestNotificationResultDto } from './selftest.dto';

/** Test endpoints (docs/api.md §13): exercise the queue, the workers and the failure path end to end. */
@ApiTags('test')
@Controller('api/test')
export class SelftestController {
  constructor(
    private readonly jobs: JobQueue,
    private readonly notifications: NotificationsService,
  ) {}

  @Post('notification')
  @HttpCode(201)
  @RequirePermission('admin_access')
  @ApiOperation({
    summary: 'Raise a notification: to the caller, or broadcast; it is also sent on the stream',
  })
  @ApiEnvelope(TestNotificationResultDto, 201)
  async notification(
    @CurrentPrincipal() principal: Principal,
    @Body() body: TestNotificationDto = {},
  ): Promise<TestNotificationResultDto> {
    const raised = await this.notifications.raise({
      type: 'test',
      severity: body.severity ?? 'info',
      title: body.title ?? 'Test notification',
      message: body.message ?? 'Raised by POST /api/test/notification',
      recipientId: body.broadcast ? null : principal.user.id,
    });
    if (!raised) throw new NotFoundError(`User ${principal.user.username}`); // deleted while asking
    return { id: raised.id, broadcast: raised.recipientId === null };
  }

  @Post('simple')
  @HttpCode(202)
  @RequirePermission('admin_access')
  @ApiOperation({ summary: 'A task that completes in about a second with result.echo' })
  @ApiTaskAccepted()
  async simple(
    @CurrentPrincipal() principal: Principal,
    @Body() body: SimpleTestDto = {},
  ): Promise<TaskAccepted> {
    const task = await this.jobs.enqueue(
      'test.simple',
      { echo: body.echo ?? 'hello', duration_ms: body.duration_ms ?? 1000 },
      { createdBy: principal.user.id },
    );
    return new TaskAccepted(task.id, 'Test task queued');
  }

  @Post('error')
  @HttpCode(202)
  @RequirePermission('admin_access')
  @ApiOperation({ summary: 'A task that fails with a clear error' })
  @ApiTaskAccepted()
  async error(
    @CurrentPrincipal() principal: Principal,
    @Body() body: ErrorTestDto = {},
  ): Promise<TaskAccepted> {
    const task = await this.jobs.enqueue(
      'test.error',
      { message: body.message ?? 'Deliberate failure from /api/test/error', duration_ms: 100 },
      { createdBy: principal.user.id },
    );
    return new TaskAccepted(task.id, 'Failing test task queued');
  }
}
