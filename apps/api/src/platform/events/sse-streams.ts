import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { Permission, SseEventMap, SseEventName } from '@proxdeck/contracts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IDENTITY_DIRECTORY, type IdentityDirectory } from '../access/identity';
import type { Principal } from '../access/principal';
import { SessionStore } from '../access/session.store';
import { AppConfig } from '../config/app-config';
import { EventHub } from './event-hub';
import { EventsService, compareEventIds, type EventAudience, type LoggedEvent } from './events.service';

const EVENT_ID = /^\d{1,20}-\d{1,20}$/;
const REPLAY_BATCH = 1_000;

/** Whether a caller with `permissions` may see an event for `audience` (docs/api.md §9). */
export function mayReceive(
  userId: number,
  permissions: ReadonlySet<Permission>,
  audience: EventAudience,
): boolean {
  return audience.userId === userId || (audience.broadcast && permissions.has('view_all'));
}

function frame(id: string, event: SseEventName, data: SseEventMap[SseEventName]): string {
  return `id: ${id}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** An event's frame, encoded once however many streams send it. */
const frames = new WeakMap<LoggedEvent, Buffer>();
function frameOf(event: LoggedEvent): Buffer {
  let bytes = frames.get(event);
  if (bytes === undefined) {
    bytes = Buffer.from(frame(event.id, event.event, event.data));
    frames.set(event, bytes);
  }
  return bytes;
}

/**
 * Server-Sent Event streams (docs/api.md §9). Each stream starts with `retry: 3000`, carries an `id:` on every
 * event and a comment every SSE_HEARTBEAT_S, and resumes from `Last-Event-ID` by replaying exactly what the
 * client missed, in order, once; when that is no longer in the log it sends `reload`. A client sees only what
 * it may: its own events, and broadcasts with view_all; its stream closes the moment its session ends, its
 * API token is revoked or its user is deactivated, and a permission taken away applies to the next event. A client that does not read
 * is disconnected once SSE_MAX_BUFFER_BYTES wait for it (it resumes from its last id); a closed connection
 * gives back everything at once.
 */
@Injectable()
export class SseStreams implements OnApplicationShutdown {
  private readonly heartbeatMs: number;
  private readonly maxBufferBytes: number;
  /** The open streams, each by the function that closes it. */
  private readonly closers = new Set<() => void>();

  constructor(
    private readonly hub: EventHub,
    private readonly events: EventsService,
    private readonly sessions: SessionStore,
    @Inject(IDENTITY_DIRECTORY) private readonly identity: IdentityDirectory,
    config: AppConfig,
  ) {
    this.heartbeatMs = config.values.SSE_HEARTBEAT_S * 1000;
    this.maxBufferBytes = config.values.SSE_MAX_BUFFER_BYTES;
  }

  /** Streams open on this instance now. */
  get openCount(): number {
    return this.closers.size;
  }

  /** Ends every stream (clients reconnect to another instance, or to this one once it is back). */
  onApplicationShutdown(): void {
    for (const close of [...this.closers]) close();
  }

  /** Takes the connection over from Fastify and streams to it until either side ends it. */
  async stream(request: FastifyRequest, reply: FastifyReply, principal: Principal): Promise<void> {
    const raw = reply.raw;
    void reply.hijack();
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-content-type-options': 'nosniff',
      'x-request-id': request.id,
    });

    let permissions = principal.permissions;
    let closed = false;
    const cleanups: (() => void)[] = [];
    const close = (destroy = false): void => {
      if (closed) return;
      closed = true;
      this.closers.delete(close);
      for (const cleanup of cleanups) cleanup();
      if (destroy) raw.destroy();
      else raw.end();
    };
    this.closers.add(close);
    const isClosed = (): boolean => closed;
    const write = (text: string | Buffer): void => {
      if (closed) return;
      raw.write(text);
      if (raw.writableLength > this.maxBufferBytes) close(true); // a client that does not read
    };
    request.raw.once('close', () => {
      close();
    });
    raw.once('error', () => {
      close(true);
    });

    // Browsers resend the last id as a header when they reconnect; a new EventSource can only pass it in the URL.
    const query = request.query as { last_event_id?: unknown } | undefined;
    const given = request.headers['last-event-id'] ?? query?.last_event_id;
    const resumeFrom = typeof given === 'string' && EVENT_ID.test(given.trim()) ? given.trim() : null;
    // A new client starts from the newest event now, and (below) gets what is appended after it.
    let lastSent = resumeFrom ?? (await this.events.lastId());
    const send = (event: LoggedEvent): void => {
      if (compareEventIds(event.id, lastSent) <= 0) return; // replayed already
      lastSent = event.id;
      if (mayReceive(principal.user.id, permissions, event.audience)) write(frameOf(event));
    };

    // Live events are held back while the missed ones are replayed, and while the caller is checked again
    // after a change to their user; then they follow without a gap or a repeat.
    let holds = 1;
    const held: LoggedEvent[] = [];
    const release = (): void => {
      holds -= 1;
      if (holds > 0) return;
      for (const event of held.splice(0)) send(event);
    };
    cleanups.push(
      this.hub.subscribe((event) => {
        if (holds > 0) held.push(event);
        else send(event);
      }),
    );
    cleanups.push(
      this.sessions.onEnded((ids) => {
        if (principal.session && ids.includes(principal.session.id)) close();
      }),
    );
    cleanups.push(
      this.identity.onUserChanged((userId) => {
        if (userId !== principal.user.id) return;
        holds += 1;
        void Promise.all([
          this.identity.findActive(userId),
          principal.via === 'token' && principal.tokenId !== undefined
            ? this.identity.tokenActive(principal.tokenId)
            : true,
        ])
          .then(([user, tokenActive]) => {
            if (!user || !tokenActive) close();
            // A session follows its user; a token keeps at most what it had.
            else
              permissions = new Set(
                user.permissions.filter((p) => principal.via === 'session' || permissions.has(p)),
              );
          })
          .catch(() => {
            close();
          })
          .finally(release);
      }),
    );
    const heartbeat = setInterval(() => {
      write(': ping\n\n');
    }, this.heartbeatMs);
    cleanups.push(() => {
      clearInterval(heartbeat);
    });

    // A new client's first frame already carries the id it starts from, so that a reconnect before its first
    // event misses nothing either (a frame with an id and no data sets the id without an event).
    write(resumeFrom === null ? `retry: 3000\nid: ${lastSent}\n\n` : 'retry: 3000\n\n');
    if (resumeFrom === null || (await this.events.canReplayFrom(resumeFrom))) {
      for (;;) {
        const missed = await this.events.readAfter(lastSent, REPLAY_BATCH);
        for (const event of missed) send(event);
        if (missed.length < REPLAY_BATCH || isClosed()) break;
      }
    } else {
      lastSent = await this.events.lastId();
      write(frame(lastSent, 'reload', { reason: 'Events were missed: reload what is shown' }));
    }
    release();
  }
}
