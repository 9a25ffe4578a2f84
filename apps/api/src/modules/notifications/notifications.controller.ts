import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Authenticated } from '../../platform/access/access.decorators';
import { CurrentPrincipal, type Principal } from '../../platform/access/principal';
import { SseStreams } from '../../platform/events/sse-streams';

/** Notifications and the live event stream (docs/api.md §9). */
@ApiTags('notifications')
@Controller('api/notifications')
export class NotificationsController {
  constructor(private readonly streams: SseStreams) {}

  @Get('stream')
  @Authenticated()
  @ApiOperation({
    summary: 'Live events (Server-Sent Events): task, notification, server, reload',
    description:
      'Starts with `retry: 3000`; every event has an increasing `id:`; a comment every 15 s. Send ' +
      '`Last-Event-ID` to resume: the missed events are replayed in order, once; when they are no longer ' +
      'kept, a `reload` event says so. Only what the caller may see: their own events, broadcasts with view_all.',
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
}
