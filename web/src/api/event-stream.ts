// The journal's Server-Sent Events stream (`/api/events/stream`, `/api/vms/NAME/events/stream`), reconnecting.
//
// Messages read here: `qmp` (id = seq, data = a JournalRecord) and, first on every connection, `alerts`
// (id = the position the stream continues from). Alerts reach the app on the console stream instead.
// EventSource reconnects by itself after a dropped connection, sending `Last-Event-ID`; when it gives up
// (an HTTP error, a refused connection) this opens a new one with `?after=` the last id seen, so a resumed
// stream continues exactly where the last one stopped either way.
import { type AlertSnapshot, type JournalAlert, JournalSse } from '../../../protocol/journal.ts';
import {
  type EventSourceFactory,
  openRetryingEventSource,
  type SseMessage,
  type StreamStatus,
} from './sse.ts';

export type { EventSourceFactory, EventSourceLike, SseMessage, StreamStatus } from './sse.ts';

export interface JournalStreamHandlers {
  /** A record's JSON text (parse it when convenient: a storm sends thousands a second). */
  record?(json: string): void;
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
  createEventSource?: EventSourceFactory;
  /** First retry delay after EventSource gave up; doubles up to `maxRetryMs`. */
  retryMs?: number;
  maxRetryMs?: number;
}

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

export interface JournalStream {
  /** The last id seen (a record's seq, or a snapshot's position); null before any. */
  readonly lastId: number | null;
  close(): void;
}

export function openJournalStream(
  options: JournalStreamOptions,
  handlers: JournalStreamHandlers,
): JournalStream {
  let lastId: number | null = options.after ?? null;
  // The latest message with an id: read only when needed (a storm brings thousands a second).
  let lastMessage: SseMessage | null = null;
  const currentLastId = (): number | null => {
    if (lastMessage !== null) {
      const id = Number(lastMessage.lastEventId);
      if (lastMessage.lastEventId !== '' && Number.isSafeInteger(id)) lastId = id;
      lastMessage = null;
    }
    return lastId;
  };

  const source = openRetryingEventSource({
    url: () => streamUrl(options.vm, currentLastId(), options.events),
    name: 'the journal stream',
    createEventSource: options.createEventSource,
    retryMs: options.retryMs,
    maxRetryMs: options.maxRetryMs,
    ...(handlers.status ? { status: handlers.status } : {}),
    listeners: {
      [JournalSse.ALERTS]: (e) => {
        source.healthy();
        lastMessage = e;
        const position = currentLastId();
        let body: AlertSnapshot | null = null;
        try {
          body = JSON.parse(e.data) as AlertSnapshot;
        } catch {
          body = null;
        }
        handlers.snapshot?.(Array.isArray(body?.alerts) ? body.alerts : [], position ?? 0);
      },
      [JournalSse.RECORD]: (e) => {
        lastMessage = e;
        handlers.record?.(e.data);
      },
    },
  });

  return {
    get lastId() {
      return currentLastId();
    },
    close: () => source.close(),
  };
}
