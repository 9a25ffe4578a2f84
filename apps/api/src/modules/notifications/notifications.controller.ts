import { Controller, Delete, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated } from '../../platform/access/access.decorators';
import { CurrentPrincipal, type Principal } from '../../platform/access/principal';
import { NotFoundError } from '../../platform/errors/app-error';
import { SseStreams } from '../../platform/events/sse-streams';
import { Page, WithMessage } from '../../platform/http/envelope';
import { ApiEnvelope, ApiListEnvelope } from '../../platform/openapi/api-envelope.decorator';
import {
  ClearAllResultDto,
  LatestNotificationsQueryDto,
  NotificationDto,
  NotificationListQueryDto,
  UnreadCountDto,
} from './notification.dto';
import { NotificationsService } from './notifications.service';

/** A notification id from the path: a positive integer, else no such notification (404). */
function notificationId(raw: string): number {
  const id = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id) || id < 1 || id > 2_147_483_647)
    throw new NotFoundError(`Notification ${raw}`);
  return id;
}

/** Notifications and the live event stream (docs/api.md §9). Each caller sees their own view. */
@ApiTags('notifications')
@Controller('api/notifications')
export class NotificationsController {
  constructor(
    private readonly streams: SseStreams,
    private readonly notifications: NotificationsService,
  ) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: "The caller's notifications (own, and broadcasts with view_all), newest first" })
  @ApiListEnvelope(NotificationDto)
  async list(
    @CurrentPrincipal() principal: Principal,
    @Query() query: NotificationListQueryDto,
  ): Promise<Page<NotificationDto>> {
    const { items, total } = await this.notifications.list(
      principal,
      {
        ...(query.unread !== undefined ? { unread: query.unread } : {}),
        ...(query.severity ? { severity: query.severity } : {}),
        ...(query.type ? { type: query.type } : {}),
      },
      { offset: (query.page - 1) * query.per_page, limit: query.per_page },
    );
    return Page.of(
      items.map((item) => NotificationDto.from(item)),
      total,
      query.page,
      query.per_page,
    );
  }

  @Get('latest')
  @Authenticated()
  @ApiOperation({ summary: 'The newest notifications (after since_id when given)' })
  @ApiEnvelope([NotificationDto])
  async latest(
    @CurrentPrincipal() principal: Principal,
    @Query() query: LatestNotificationsQueryDto,
  ): Promise<NotificationDto[]> {
    const items = await this.notifications.latest(principal, query.limit, query.since_id);
    return items.map((item) => NotificationDto.from(item));
  }

  @Get('unread-count')
  @Authenticated()
  @ApiOperation({ summary: 'How many of the caller’s notifications are unread' })
  @ApiEnvelope(UnreadCountDto)
  async unreadCount(@CurrentPrincipal() principal: Principal): Promise<UnreadCountDto> {
    return { count: await this.notifications.unreadCount(principal) };
  }

  @Get('stream')
  @Authenticated()
  @ApiOperation({
    summary: 'Live events (Server-Sent Events): task, notification, server, reload',
    description:
      'Starts with `retry: 3000`; every event has an increasing `id:`; a comment every 15 s. Send ' +
      '`Last-Event-ID` to resume: the missed events are replayed in order, once; when they are no longer ' +
      'kept, a `reload` event says so. Only what the caller may see: their own events, broadcasts with view_all.',
  })
  @ApiQuery({
    name: 'last_event_id',
    required: false,
    description: 'Resume after this event id, like the Last-Event-ID header (which wins when both are sent)',
  })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: 'An event stream', content: { 'text/event-stream': {} } })
  async stream(
    @CurrentPrincipal() principal: Principal,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    await this.streams.stream(request, reply, principal);
  }

  @Post('clear-all')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({ summary: 'Hide every notification for the caller (others keep theirs)' })
  @ApiEnvelope(ClearAllResultDto)
  async clearAll(@CurrentPrincipal() principal: Principal): Promise<ClearAllResultDto> {
    return { hidden: await this.notifications.clearAll(principal) };
  }

  @Get(':notification_id')
  @Authenticated()
  @ApiOperation({ summary: 'One notification the caller can see' })
  @ApiEnvelope(NotificationDto)
  async one(
    @CurrentPrincipal() principal: Principal,
    @Param('notification_id') id: string,
  ): Promise<NotificationDto> {
    return NotificationDto.from(await this.notifications.get(principal, notificationId(id)));
  }

  @Post(':notification_id/read')
  @HttpCode(200)
  @Authenticated()
  @ApiOperation({ summary: 'Mark it read for the caller (a broadcast stays unread for the others)' })
  @ApiEnvelope(NotificationDto)
  async read(
    @CurrentPrincipal() principal: Principal,
    @Param('notification_id') id: string,
  ): Promise<NotificationDto> {
    return NotificationDto.from(await this.notifications.markRead(principal, notificationId(id)));
  }

  @Delete(':notification_id')
  @Authenticated()
  @ApiOperation({ summary: 'Hide it for the caller (others keep it)' })
  @ApiEnvelope(null)
  async hide(
    @CurrentPrincipal() principal: Principal,
    @Param('notification_id') id: string,
  ): Promise<WithMessage<null>> {
    await this.notifications.hide(principal, notificationId(id));
    return new WithMessage(null, 'Notification hidden');
  }
}
