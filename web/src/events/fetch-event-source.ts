// The journal stream's transport for the event log: the EventSource protocol, read with fetch.
//
// Chromium's EventSource builds a DOM MessageEvent and dispatches it for every message, 30–50 µs each. A
// failing disk makes QEMU send thousands of events a second; when the page is busy for a moment the
// socket holds a few thousand records, all parsed and dispatched in one task (100–150 ms). Read here, a
// message costs a few string slices and a call. It behaves as EventSource does (the WHATWG
// server-sent events rules): `Last-Event-ID` on reconnect, `retry:`, readyState CONNECTING and an `error`
// after a dropped connection (then it reconnects by itself), CLOSED and an `error` when the answer is
// not a 200 `text/event-stream` (then it gives up).
// It lives with the log, not in `api/`: only the log's lazy chunk needs it, and the first page stays small.
import type { EventSourceFactory, EventSourceLike, SseMessage } from '../api/sse.ts';

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 2;
/** Chromium's reconnection delay until the server sends `retry:`. */
const DEFAULT_RETRY_MS = 3000;

type Listener = (e: SseMessage) => void;

/** The parser's state for one connection: message fields seen so far, and an unfinished line. */
interface Pending {
  rest: string;
  type: string;
  data: string | null;
  /** The connection has not produced a character yet (a byte-order mark there is skipped). */
  start: boolean;
}

const fresh = (): Pending => ({ rest: '', type: '', data: null, start: true });

export class FetchEventSource implements EventSourceLike {
  readyState = CONNECTING;
  private readonly listeners = new Map<string, Listener[]>();
  private readonly abort = new AbortController();
  private lastEventId = '';
  /** The `id:` of the message being read (it becomes lastEventId when the message ends). */
  private idBuffer = '';
  private retryMs = DEFAULT_RETRY_MS;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private pending = fresh();

  constructor(
    readonly url: string,
    // Called as a plain function: window.fetch called as a method of this object throws.
    private readonly fetchFn: typeof fetch = (input, init) => fetch(input, init),
  ) {
    // After the constructor, as EventSource: listeners are added before anything arrives.
    queueMicrotask(() => void this.connect());
  }

  addEventListener(type: string, listener: Listener): void {
    const list = this.listeners.get(type);
    if (list) list.push(listener);
    else this.listeners.set(type, [listener]);
  }

  close(): void {
    this.readyState = CLOSED;
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.abort.abort();
  }

  private async connect(): Promise<void> {
    if (this.readyState === CLOSED) return;
    this.pending = fresh();
    this.idBuffer = this.lastEventId;
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (this.lastEventId !== '') headers['last-event-id'] = this.lastEventId;
    let res: Response;
    try {
      res = await this.fetchFn(this.url, { headers, cache: 'no-store', signal: this.abort.signal });
    } catch {
      return this.dropped();
    }
    if (this.readyState === CLOSED) return;
    const type = res.headers.get('content-type') ?? '';
    if (res.status !== 200 || !/^text\/event-stream\s*(;|$)/i.test(type) || !res.body) {
      void res.body?.cancel().catch(() => {});
      return this.failed();
    }
    this.readyState = OPEN;
    this.emit('open', { data: '', lastEventId: this.lastEventId });
    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done || this.readyState === CLOSED) break;
        this.feed(decoder.decode(value, { stream: true }));
      }
    } catch {
      // A reset connection: reconnect below.
    }
    if (this.readyState !== CLOSED) this.dropped();
  }

  /** The connection ended or never opened: EventSource waits `retry` ms and tries again. */
  private dropped(): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CONNECTING;
    this.emit('error', { data: '', lastEventId: this.lastEventId });
    if (this.readyState !== CONNECTING) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connect();
    }, this.retryMs);
  }

  /** Not an event stream (an HTTP error, another type): EventSource gives up. */
  private failed(): void {
    this.readyState = CLOSED;
    this.emit('error', { data: '', lastEventId: this.lastEventId });
  }

  /** Reads whole lines of `text` (after what the last chunk left unfinished). */
  private feed(text: string): void {
    const p = this.pending;
    let buf = p.rest + text;
    if (p.start && buf !== '') {
      p.start = false;
      if (buf.charCodeAt(0) === 0xfeff) buf = buf.slice(1);
    }
    // Lines may end in CRLF, LF or CR; a CR at the very end may be half of a CRLF.
    if (buf.includes('\r')) buf = buf.replace(/\r\n|\r(?=[\s\S])/g, '\n');
    let from = 0;
    for (;;) {
      const nl = buf.indexOf('\n', from);
      if (nl === -1) break;
      this.line(buf, from, nl);
      if (this.readyState === CLOSED) return;
      from = nl + 1;
    }
    p.rest = from === 0 ? buf : buf.slice(from);
  }

  private line(buf: string, from: number, end: number): void {
    const p = this.pending;
    if (from === end) {
      this.dispatch();
      return;
    }
    if (buf.charCodeAt(from) === 0x3a) return; // ':' a comment (the keepalive)
    const colon = buf.indexOf(':', from);
    let field: string;
    let value: string;
    if (colon === -1 || colon > end) {
      field = buf.slice(from, end);
      value = '';
    } else {
      field = buf.slice(from, colon);
      const v = buf.charCodeAt(colon + 1) === 0x20 ? colon + 2 : colon + 1;
      value = v > end ? '' : buf.slice(v, end);
    }
    if (field === 'data') p.data = p.data === null ? value : `${p.data}\n${value}`;
    else if (field === 'event') p.type = value;
    else if (field === 'id') {
      if (!value.includes('\0')) this.idBuffer = value;
    } else if (field === 'retry' && /^\d+$/.test(value)) this.retryMs = Number(value);
  }

  /** A blank line ends a message. */
  private dispatch(): void {
    const p = this.pending;
    this.lastEventId = this.idBuffer;
    const data = p.data;
    const type = p.type || 'message';
    p.data = null;
    p.type = '';
    if (data !== null) this.emit(type, { data, lastEventId: this.lastEventId });
  }

  private emit(type: string, e: SseMessage): void {
    const list = this.listeners.get(type);
    if (!list) return;
    for (const l of list) l(e);
  }
}

const bodiesStream = () =>
  typeof fetch === 'function' && typeof ReadableStream === 'function' && typeof TextDecoder === 'function';

/** How the log opens its journal stream (an object, so that tests can put their fake EventSource in). */
export const logEventSources: { create: EventSourceFactory } = {
  create: (url) => (bodiesStream() ? new FetchEventSource(url) : new EventSource(url)),
};
