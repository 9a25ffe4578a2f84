import { Module } from '@nestjs/common';
import { EventsService } from './events.service';

/** Live events (docs/api.md §9): import it where events are published or read. */
@Module({ providers: [EventsService], exports: [EventsService] })
export class EventsModule {}
