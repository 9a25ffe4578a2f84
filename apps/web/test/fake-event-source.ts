/**
 * A fake EventSource for unit tests (jsdom has none). `installFakeEventSource()` puts it on globalThis until
 * the end of the test; the test then drives each instance the SPA made: open it, send typed events, drop the
 * connection (the browser would reconnect by itself) or fail it for good (an HTTP error such as a 401).
 */
import type { SseEventMap, SseEventName } from '@proxdeck/contracts';

export class FakeEventSource extends EventTarget {
  static readonly CONNECTING = 0;
  static readonly OPEN = 1;
  static readonly CLOSED = 2;
  /** Every instance made since the fake was installed, oldest first. */
  static instances: FakeEventSource[] = [];

  readonly CONNECTING = 0;
  readonly OPEN = 1;
  readonly CLOSED = 2;
  readonly withCredentials: boolean;
  readyState = FakeEventSource.CONNECTING;
  /** Set by close(): the SPA let go of it. */
  closed = false;
  #nextId = 1;

  constructor(
    readonly url: string,
    init?: EventSourceInit,
  ) {
    super();
    this.withCredentials = init?.withCredentials ?? false;
    FakeEventSource.instances.push(this);
  }

  close(): void {
    this.readyState = FakeEventSource.CLOSED;
    this.closed = true;
  }

  /** The server answered: the stream is open. */
  open(): void {
    this.readyState = FakeEventSource.OPEN;
    this.dispatchEvent(new Event('open'));
  }

  /** One event as the server frames it: `id:`, `event:`, `data:` (JSON). */
  emit<E extends SseEventName>(event: E, data: SseEventMap[E], id = `${Date.now()}-${this.#nextId++}`): void {
    this.dispatchEvent(new MessageEvent(event, { data: JSON.stringify(data), lastEventId: id }));
  }

  /** The connection dropped: the browser reconnects this one by itself. */
  drop(): void {
    this.readyState = FakeEventSource.CONNECTING;
    this.dispatchEvent(new Event('error'));
  }

  /** The server answered with an HTTP error (401, 502 …): the browser gives this one up. */
  fail(): void {
    this.readyState = FakeEventSource.CLOSED;
    this.dispatchEvent(new Event('error'));
  }
}

const original = Object.getOwnPropertyDescriptor(globalThis, 'EventSource');

/** Installs the fake on globalThis; it is removed again after the test. Returns the class to drive it. */
export function installFakeEventSource(): typeof FakeEventSource {
  FakeEventSource.instances = [];
  Object.defineProperty(globalThis, 'EventSource', {
    configurable: true,
    writable: true,
    value: FakeEventSource,
  });
  return FakeEventSource;
}

/** The instance the SPA made last. */
export function latestEventSource(): FakeEventSource {
  const source = FakeEventSource.instances.at(-1);
  if (!source) throw new Error('No EventSource was made');
  return source;
}

afterEach(() => {
  if (original) Object.defineProperty(globalThis, 'EventSource', original);
  else Reflect.deleteProperty(globalThis, 'EventSource');
  FakeEventSource.instances = [];
});
