// Feeds a LogBuffer from the journal: the live stream first, then history below it, without gaps or
// duplicates, through any number of reconnects.
//
// 1. The SSE stream opens live (no `after`). Its first message says where it continues from: `position`,
//    the journal's newest seq at that moment. Everything after it arrives on the stream.
// 2. History is read newest first with `before = position + 1`: everything up to it. Older pages follow
//    with `before` = the oldest seq read so far, when the person scrolls up.
// 3. After a dropped connection EventSource resumes with `Last-Event-ID` (or we reopen with `?after=`):
//    the journal replays what was missed. Rows at or below the newest kept row are dropped, so a replay
//    overlapping what arrived already changes nothing.
// 4. A snapshot whose position is below the newest kept row means the journal was replaced (a new data
//    directory): the log starts over.
//
// Live records are parsed and added in batches, once per animation frame and within a time budget per
// batch, so that a storm of thousands of events a second never makes a long task.
import type { JournalPage } from '../../../protocol/journal.ts';
import { type JournalStream, type JournalStreamOptions, openJournalStream } from '../api/event-stream.ts';
import { frameScheduler } from '../api/frame-scheduler.ts';
import { fetchJson } from '../api/http.ts';
import { logEventSources } from './fetch-event-source.ts';
import { LogBuffer, type LogRow, parseRecord, toRow } from './log-buffer.ts';
import { eventsPath } from './log-filters.ts';

export type LogConnection = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'history';

export interface LogStreamState {
  /** Bumped whenever the buffer or anything below changes. */
  version: number;
  connection: LogConnection;
  /** Why the stream is not live, for people. */
  connectionDetail: string | null;
  /** Every older record of the selection is loaded. */
  historyComplete: boolean;
  loadingOlder: boolean;
  /** The last history request failed. */
  historyError: string | null;
  /** Rows dropped from the top of the buffer (oldest) to keep memory bounded. */
  trimmed: number;
}

export interface HistoryQuery {
  vm: string | null;
  before: number | null;
  since: string | null;
  until: string | null;
  limit: number;
}

export interface LogStreamOptions {
  vm: string | null;
  /** ISO times: the journal's received-time bounds. */
  since: string | null;
  until: string | null;
  fetchPage?: (q: HistoryQuery, signal: AbortSignal) => Promise<JournalPage>;
  openStream?: (
    options: JournalStreamOptions,
    handlers: Parameters<typeof openJournalStream>[1],
  ) => JournalStream;
  /** The stream's transport: EventSource read with fetch by default (see fetch-event-source.ts). */
  createEventSource?: JournalStreamOptions['createEventSource'];
  /** Runs `fn` soon (next animation frame); returns a cancel function. */
  schedule?: (fn: () => void) => () => void;
  now?: () => number;
  pageSize?: number;
  /** Milliseconds of parsing per batch before yielding to the browser. */
  budgetMs?: number;
  /** Rows kept at most; the oldest go beyond this (plus a margin, so trimming is rare). */
  maxRows?: number;
  /**
   * Live rows are parsed every frame, but shown at most this often: during a storm the list moves ten
   * times a second rather than sixty, and the page keeps its time for the person.
   */
  minNotifyMs?: number;
}

export function historyUrl(q: HistoryQuery): string {
  const sp = new URLSearchParams({ order: 'desc', limit: String(q.limit) });
  if (q.before !== null) sp.set('before', String(q.before));
  if (q.since) sp.set('since', q.since);
  if (q.until) sp.set('until', q.until);
  return `${eventsPath(q.vm)}?${sp}`;
}

const defaultFetchPage = (q: HistoryQuery, signal: AbortSignal) =>
  fetchJson<JournalPage>(historyUrl(q), { signal });

/** A stream's state before it has heard anything. */
export const INITIAL_LOG_STATE: LogStreamState = {
  version: 0,
  connection: 'connecting',
  connectionDetail: null,
  historyComplete: false,
  loadingOlder: false,
  historyError: null,
  trimmed: 0,
};

export class LogStream {
  readonly buffer = new LogBuffer();
  private state: LogStreamState = INITIAL_LOG_STATE;
  private readonly listeners = new Set<() => void>();
  private readonly opts: Required<Omit<LogStreamOptions, 'createEventSource'>> &
    Pick<LogStreamOptions, 'createEventSource'>;
  private stream: JournalStream | null = null;
  private pending: string[] = [];
  private cancelFlush: (() => void) | null = null;
  /** `before` for the next history page; null until the stream has said where it starts. */
  private historyCursor: number | null = null;
  private historyAbort: AbortController | null = null;
  private closed = false;
  private notifyTimer: ReturnType<typeof setTimeout> | null = null;
  private lastNotify = Number.NEGATIVE_INFINITY;

  constructor(options: LogStreamOptions) {
    this.opts = {
      fetchPage: defaultFetchPage,
      openStream: openJournalStream,
      schedule: frameScheduler,
      now: () => performance.now(),
      pageSize: 1000,
      budgetMs: 8,
      maxRows: 250_000,
      minNotifyMs: 100,
      ...options,
    };
  }

  readonly subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  readonly getState = (): LogStreamState => this.state;

  start(): void {
    const until = this.opts.until ? Date.parse(this.opts.until) : null;
    if (until !== null && until <= Date.now()) {
      // A range that has ended: nothing live can belong to it.
      this.update({ connection: 'history' });
      this.historyCursor = Number.MAX_SAFE_INTEGER;
      void this.loadOlder();
      return;
    }
    this.stream = this.opts.openStream(
      { vm: this.opts.vm, createEventSource: this.opts.createEventSource ?? logEventSources.create },
      {
        snapshot: (_alerts, position) => this.connected(position),
        record: (json) => this.received(json),
        status: (status, detail) => {
          if (status === 'reconnecting')
            this.update({ connection: 'reconnecting', connectionDetail: detail });
          else if (status === 'closed' && !this.closed)
            this.update({ connection: 'offline', connectionDetail: detail });
        },
      },
    );
  }

  close(): void {
    this.closed = true;
    this.stream?.close();
    this.stream = null;
    this.cancelFlush?.();
    this.cancelFlush = null;
    this.historyAbort?.abort();
    if (this.notifyTimer !== null) clearTimeout(this.notifyTimer);
    this.listeners.clear();
  }

  /** Loads the next older page (does nothing while one loads, or when history is complete). */
  async loadOlder(): Promise<void> {
    if (this.closed || this.state.loadingOlder || this.state.historyComplete || this.historyCursor === null)
      return;
    const abort = new AbortController();
    this.historyAbort = abort;
    this.update({ loadingOlder: true, historyError: null });
    const before = this.historyCursor === Number.MAX_SAFE_INTEGER ? null : this.historyCursor;
    try {
      const page = await this.opts.fetchPage(
        {
          vm: this.opts.vm,
          before,
          since: this.opts.since,
          until: this.opts.until,
          limit: this.opts.pageSize,
        },
        abort.signal,
      );
      if (this.closed || abort.signal.aborted) return;
      const rows = page.events.map(toRow);
      const last = rows[rows.length - 1];
      if (last) this.historyCursor = Math.min(this.historyCursor ?? last.seq, ...rows.map((r) => r.seq));
      this.buffer.prepend(rows);
      this.update({ loadingOlder: false, historyComplete: page.next === null || rows.length === 0 });
    } catch (err) {
      if (this.closed || abort.signal.aborted) return;
      this.update({ loadingOlder: false, historyError: err instanceof Error ? err.message : String(err) });
    }
  }

  /** The stream's first message on each connection. */
  private connected(position: number): void {
    this.flush(Number.POSITIVE_INFINITY);
    const newest = this.buffer.newestSeq;
    if (newest !== null && position < newest) {
      // The journal is behind what we showed: it was replaced. Start over from its present.
      this.historyAbort?.abort();
      this.buffer.reset();
      this.historyCursor = null;
      this.update({ historyComplete: false, loadingOlder: false, historyError: null, trimmed: 0 });
    }
    this.update({ connection: 'live', connectionDetail: null });
    if (this.historyCursor === null) {
      this.historyCursor = position + 1;
      void this.loadOlder();
    }
  }

  private received(json: string): void {
    this.pending.push(json);
    this.cancelFlush ??= this.opts.schedule(() => {
      this.cancelFlush = null;
      this.flush(this.opts.budgetMs);
    });
  }

  /** Parses pending records for up to `budgetMs`, adds them, and schedules the rest. */
  private flush(budgetMs: number): void {
    if (this.pending.length === 0) return;
    const start = this.opts.now();
    const rows: LogRow[] = [];
    let i = 0;
    for (; i < this.pending.length; i++) {
      const row = parseRecord(this.pending[i]!);
      if (row) rows.push(row);
      if ((i & 15) === 15 && this.opts.now() - start > budgetMs) {
        i++;
        break;
      }
    }
    this.pending = i >= this.pending.length ? [] : this.pending.slice(i);
    const added = this.buffer.append(rows);
    let trimmed = 0;
    if (this.buffer.size > this.opts.maxRows * 1.1) {
      trimmed = this.buffer.trim(this.opts.maxRows);
      this.historyCursor = this.buffer.oldestSeq;
    }
    if (this.pending.length > 0 && this.cancelFlush === null)
      this.cancelFlush = this.opts.schedule(() => {
        this.cancelFlush = null;
        this.flush(this.opts.budgetMs);
      });
    if (added > 0 || trimmed > 0)
      this.update(trimmed > 0 ? { historyComplete: false, trimmed: this.state.trimmed + trimmed } : {}, true);
  }

  /** New state; listeners hear of it at once, or (`throttled`, for live rows) at most every minNotifyMs. */
  private update(patch: Partial<LogStreamState>, throttled = false): void {
    if (this.closed) return;
    this.state = { ...this.state, ...patch, version: this.state.version + 1 };
    if (throttled) {
      if (this.notifyTimer !== null) return;
      const wait = this.lastNotify + this.opts.minNotifyMs - this.opts.now();
      if (wait > 0) {
        this.notifyTimer = setTimeout(() => {
          this.notifyTimer = null;
          this.notify();
        }, wait);
        return;
      }
    }
    this.notify();
  }

  private notify(): void {
    if (this.closed) return;
    if (this.notifyTimer !== null) clearTimeout(this.notifyTimer);
    this.notifyTimer = null;
    this.lastNotify = this.opts.now();
    for (const l of [...this.listeners]) l();
  }
}
