import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { EventStreamModule } from '../../platform/events/event-stream.module';
import { EventsModule } from '../../platform/events/events.module';
import { NotificationState } from './notification-state.entity';
import { Notification } from './notification.entity';
import { NotificationsController } from './notifications.controller';
import { NotificationsJobs } from './notifications.jobs';
import { NotificationsService } from './notifications.service';
import { TaskNotifier } from './task-notifier';

/** Notifications and the live event stream (docs/api.md §9). Other modules raise through NotificationsService. */
@Module({
  imports: [TypeOrmModule.forFeature([Notification, NotificationState]), EventsModule, EventStreamModule],
  controllers: [NotificationsController],
  providers: [NotificationsService, TaskNotifier, NotificationsJobs],
  exports: [NotificationsService],
})
export class NotificationsModule {}
