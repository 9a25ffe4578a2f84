import { Module } from '@nestjs/common';
import { EventsService } from './events.service';

/** The event log every process appends to (docs/api.md §9). Import it where events are published. */
@Module({ providers: [EventsService], exports: [EventsService] })
export class EventsModule {}
