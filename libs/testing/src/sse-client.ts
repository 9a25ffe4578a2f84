import { waitFor } from './wait';

export interface SseFrame {
  id?: string;
  event?: string;
  data?: string;
  retry?: number;
  comment?: string;
}

export interface SseClient {
  status: number;
  frames: SseFrame[];
  /** Frames with an event name, data parsed. */
  events(): { id: string; event: string; data: unknown }[];
  /** Resolves once the server ended the stream. */
  ended: Promise<void>;
  isEnded(): boolean;
  waitFor<T>(check: (client: SseClient) => T | undefined, what: string, timeoutMs?: number): Promise<T>;
  close(): void;
}

/** A Server-Sent Events client over fetch, as browsers read streams: frames split on blank lines. */
export async function openSse(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const abort = new AbortController();
  const response = await fetch(url, {
    headers: { accept: 'text/event-stream', ...headers },
    signal: abort.signal,
  });
  const frames: SseFrame[] = [];
  let ended = false;
  const client: SseClient = {
    status: response.status,
    frames,
    events: () =>
      frames
        .filter((frame) => frame.event !== undefined && frame.id !== undefined)
        .map((frame) => ({
          id: frame.id ?? '',
          event: frame.event ?? '',
          data: JSON.parse(frame.data ?? 'null') as unknown,
        })),
    ended: Promise.resolve(),
    isEnded: () => ended,
    waitFor: (check, what, timeoutMs = 5_000) =>
      waitFor(() => check(client), { timeoutMs, intervalMs: 10, what }),
    close: () => {
      abort.abort();
    },
  };
  if (!response.body) return client;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  client.ended = (async () => {
    let buffer = '';
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const frame: SseFrame = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) frame.comment = line.slice(1).trim();
            else {
              const colon = line.indexOf(':');
              const field = line.slice(0, colon);
              const text = line.slice(colon + 1).replace(/^ /, '');
              if (field === 'id') frame.id = text;
              else if (field === 'event') frame.event = text;
              else if (field === 'data')
                frame.data = frame.data === undefined ? text : `${frame.data}\n${text}`;
              else if (field === 'retry') frame.retry = Number(text);
            }
          }
          frames.push(frame);
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted by close()
    } finally {
      ended = true;
    }
  })();
  return client;
}
