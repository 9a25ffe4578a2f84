import { Module } from '@nestjs/common';
import { EventHub } from './event-hub';
import { EventsModule } from './events.module';
import { SseStreams } from './sse-streams';

/**
 * What an API instance needs to stream events to browsers: the hub that reads the log, and the SSE streams
 * it feeds. Needs the access layer (sessions, identities), so only HTTP-facing modules import it.
 */
@Module({ imports: [EventsModule], providers: [EventHub, SseStreams], exports: [SseStreams] })
export class EventStreamModule {}
