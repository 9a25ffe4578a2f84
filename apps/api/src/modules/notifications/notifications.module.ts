import { Module } from '@nestjs/common';
import { EventStreamModule } from '../../platform/events/event-stream.module';
import { NotificationsController } from './notifications.controller';

/** Notifications and the live event stream (docs/api.md §9). */
@Module({ imports: [EventStreamModule], controllers: [NotificationsController] })
export class NotificationsModule {}
