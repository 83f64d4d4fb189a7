// The journal's Server-Sent Events stream (`/api/events/stream`, `/api/vms/NAME/events/stream`), reconnecting.
//
// Messages: `qmp` (id = seq, data = a JournalRecord), `alert` (a JournalAlert after a change) and, first on
// every connection, `alerts` (id = the position the stream continues from, data = the open alerts now).
// EventSource reconnects by itself after a dropped connection, sending `Last-Event-ID`; when it gives up
// (an HTTP error, a refused connection) this opens a new one with `?after=` the last id seen, so a resumed
// stream continues exactly where the last one stopped either way.
import { type AlertSnapshot, type JournalAlert, JournalSse } from '../../../protocol/journal.ts';

/** What this module needs of EventSource (tests pass a fake). */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (e: MessageEvent<string>) => void): void;
  close(): void;
}

export type EventSourceFactory = (url: string) => EventSourceLike;

export type StreamStatus = 'connecting' | 'open' | 'reconnecting' | 'closed';

export interface JournalStreamHandlers {
  /** A record's JSON text (parse it when convenient: a storm sends thousands a second). */
  record?(json: string): void;
  alert?(alert: JournalAlert): void;
  /** The connection's first message: the open alerts, and the seq the stream continues after. */
  snapshot?(alerts: JournalAlert[], position: number): void;
  status?(status: StreamStatus, detail: string | null): void;
}

export interface JournalStreamOptions {
  /** One VM's stream; all VMs when absent. */
  vm?: string | null;
  /** Only these event names' records (alerts are always sent). */
  events?: readonly string[];
  /** Resume after this seq; live from now when null. */
  after?: number | null;
  /**
   * Resume after the last id seen when reconnecting (the default). False: every new connection starts
   * live from now (for consumers that only need the snapshot and alerts).
   */
  resume?: boolean;
  createEventSource?: EventSourceFactory;
  /** First retry delay after EventSource gave up; doubles up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
}

const CLOSED = 2;

export function streamUrl(
  vm: string | null | undefined,
  after: number | null,
  events?: readonly string[],
): string {
  const base = vm ? `/api/vms/${encodeURIComponent(vm)}/events/stream` : '/api/events/stream';
  const sp = new URLSearchParams();
  if (after !== null) sp.set('after', String(after));
  for (const e of events ?? []) sp.append('event', e);
  const q = sp.toString();
  return q ? `${base}?${q}` : base;
}

export function defaultEventSourceFactory(): EventSourceFactory | null {
  return typeof EventSource === 'undefined' ? null : (url) => new EventSource(url);
}

export interface JournalStream {
  /** The last id seen (a record's seq, or a snapshot's position); null before any. */
  readonly lastId: number | null;
  close(): void;
}

export function openJournalStream(
  options: JournalStreamOptions,
  handlers: JournalStreamHandlers,
): JournalStream {
  const create = options.createEventSource ?? defaultEventSourceFactory();
  const resume = options.resume ?? true;
  const retryMs = options.retryMs ?? 1000;
  const maxRetryMs = options.maxRetryMs ?? 15_000;
  let lastId: number | null = options.after ?? null;
  // The latest message with an id: read only when needed (a storm brings thousands a second).
  let lastMessage: MessageEvent<string> | null = null;
  let source: EventSourceLike | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let delay = retryMs;
  let closed = false;

  const status = (s: StreamStatus, detail: string | null = null) => handlers.status?.(s, detail);
  const currentLastId = (): number | null => {
    if (lastMessage !== null) {
      const id = Number(lastMessage.lastEventId);
      if (lastMessage.lastEventId !== '' && Number.isSafeInteger(id)) lastId = id;
      lastMessage = null;
    }
    return lastId;
  };

  const connect = () => {
    if (closed || !create) return;
    const es = create(streamUrl(options.vm, resume ? currentLastId() : null, options.events));
    source = es;
    es.addEventListener('open', () => {
      if (source === es) status('open');
    });
    es.addEventListener(JournalSse.ALERTS, (e) => {
      if (source !== es) return;
      delay = retryMs;
      lastMessage = e;
      const position = currentLastId();
      let body: AlertSnapshot | null = null;
      try {
        body = JSON.parse(e.data) as AlertSnapshot;
      } catch {
        body = null;
      }
      handlers.snapshot?.(Array.isArray(body?.alerts) ? body.alerts : [], position ?? 0);
    });
    es.addEventListener(JournalSse.RECORD, (e) => {
      if (source !== es) return;
      lastMessage = e;
      handlers.record?.(e.data);
    });
    es.addEventListener(JournalSse.ALERT, (e) => {
      if (source !== es) return;
      try {
        handlers.alert?.(JSON.parse(e.data) as JournalAlert);
      } catch {
        // not an alert: ignore it
      }
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
      status('reconnecting', `the journal stream is unavailable; retrying in ${Math.round(delay / 1000)} s`);
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
    get lastId() {
      return currentLastId();
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
