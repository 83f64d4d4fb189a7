// An EventSource that keeps trying: EventSource reconnects by itself after a dropped connection (sending
// `Last-Event-ID`); when it gives up (an HTTP error, a refused connection) this opens a new one after a
// delay that doubles up to a limit, at the URL `url()` gives then.

/** What a listener reads of a message (a MessageEvent has more). */
export interface SseMessage {
  readonly data: string;
  readonly lastEventId: string;
}

/** What this module needs of EventSource (tests pass a fake). */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (e: SseMessage) => void): void;
  close(): void;
}

export type EventSourceFactory = (url: string) => EventSourceLike;

export type StreamStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

export function defaultEventSourceFactory(): EventSourceFactory | null {
  return typeof EventSource === 'undefined' ? null : (url) => new EventSource(url);
}

export interface RetryingEventSourceOptions {
  /** The URL of each new connection. */
  url: () => string;
  /** Message listeners by SSE event type. */
  listeners: Readonly<Record<string, (e: SseMessage) => void>>;
  status?(status: StreamStatus, detail: string | null): void;
  /** The stream's name in a status detail: "the journal stream is unavailable; retrying in 2 s". */
  name: string;
  createEventSource?: EventSourceFactory | undefined;
  /** First retry delay after EventSource gave up; doubles up to `maxRetryMs`. */
  retryMs?: number | undefined;
  maxRetryMs?: number | undefined;
}

export interface RetryingEventSource {
  /** A message proved the stream works: the next retry waits the first delay again. */
  healthy(): void;
  close(): void;
}

const CLOSED = 2;

export function openRetryingEventSource(options: RetryingEventSourceOptions): RetryingEventSource {
  const create = options.createEventSource ?? defaultEventSourceFactory();
  const retryMs = options.retryMs ?? 1000;
  const maxRetryMs = options.maxRetryMs ?? 15_000;
  const status = (s: StreamStatus, detail: string | null = null) => options.status?.(s, detail);
  let source: EventSourceLike | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let delay = retryMs;
  let closed = false;

  const connect = () => {
    if (closed || !create) return;
    const es = create(options.url());
    source = es;
    es.addEventListener('open', () => {
      if (source === es) status('open');
    });
    for (const [type, listener] of Object.entries(options.listeners))
      es.addEventListener(type, (e) => {
        if (source === es) listener(e);
      });
    es.addEventListener('error', () => {
      if (source !== es || closed) return;
      if (es.readyState !== CLOSED) {
        // EventSource retries on its own, with Last-Event-ID.
        status('reconnecting', 'connection lost; reconnecting');
        return;
      }
      es.close();
      source = null;
      status('reconnecting', `${options.name} is unavailable; retrying in ${Math.round(delay / 1000)} s`);
      retryTimer = setTimeout(() => {
        retryTimer = null;
        connect();
      }, delay);
      delay = Math.min(delay * 2, maxRetryMs);
    });
  };

  if (create) {
    status('connecting');
    connect();
  } else status('closed', 'this browser has no EventSource');

  return {
    healthy() {
      delay = retryMs;
    },
    close() {
      if (closed) return;
      closed = true;
      if (retryTimer !== null) clearTimeout(retryTimer);
      source?.close();
      source = null;
      status('closed');
    },
  };
}
