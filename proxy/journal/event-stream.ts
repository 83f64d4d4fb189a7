// One Server-Sent Events stream of the journal: replay from the database, then live, no gap, no duplicate.
//
// The stream keeps `cursor`, the seq of the last record it wrote. In `replay` it reads pages after the
// cursor (`Journal.readAfter`: the database, then the in-memory backlog), writing a page whenever the
// socket has drained, one page per turn of the console's slice scheduler (every replaying stream and
// export in turn, the event loop free for commands between turns). A page shorter than asked means nothing published is left: in the same
// synchronous turn it switches to `live`. Records are published synchronously right after their
// commit, so each one is either in that last read or arrives live afterwards; live records at or
// below the cursor are skipped. Live frames wait for the fan-out clock's tick (within the tick, or a
// few milliseconds in a storm watched by many), so a storm costs a write per tick, not per batch. If a live client falls behind (more than `maxBufferedBytes` queued)
// it drops back to `replay`, which again reads from the database only as fast as the socket drains:
// memory stays bounded, and a client that takes nothing for `stallTimeoutMs` is closed (it resumes
// with Last-Event-ID).
//
// Alert changes go out as the console stream's do: the first at once, later ones within
// `alertCoalesceMs` together, each alert's newest state (a failing disk bumps its alert's count with
// every batch: thousands of frames a storm otherwise, each the whole alert).
import type { ServerResponse } from 'node:http';
import { JournalSse } from '../../protocol/journal.ts';
import { ChangeCoalescer } from '../hub/change-coalescer.ts';
import { type FanOutWriter, fanOutClock } from '../hub/fan-out-clock.ts';
import { type Alert, toJournalAlert } from './alert-book.ts';
import { type Journal, type JournalSubscriber, recordJson } from './journal.ts';
import type { EventRow } from './journal-store.ts';
import { journalSlices } from './slice-scheduler.ts';

export interface EventStreamOptions {
  heartbeatMs: number;
  /** Bytes queued for a live client before it falls back to paced replay. */
  maxBufferedBytes: number;
  /** A client that takes nothing for this long is closed. */
  stallTimeoutMs: number;
  /** Records per replay read. */
  pageSize: number;
  /** The `retry:` hint for EventSource reconnects. */
  retryMs: number;
  /**
   * Alert changes this soon after the last alert written wait, and leave together, each alert's newest
   * state only (0 or absent: each at once). A failing disk bumps its alert's count with every batch.
   */
  alertCoalesceMs?: number;
}

export const DEFAULT_STREAM_OPTIONS: EventStreamOptions = {
  heartbeatMs: 15_000,
  maxBufferedBytes: 1024 * 1024,
  stallTimeoutMs: 60_000,
  pageSize: 100,
  retryMs: 2000,
  alertCoalesceMs: 50,
};

export interface StreamFilter {
  vm?: string;
  events?: string[];
}

const frame = (r: EventRow) => `id: ${r.seq}\nevent: ${JournalSse.RECORD}\ndata: ${recordJson(r)}\n\n`;

/**
 * A published batch's frames are the same for every live stream: built once, for the batch every
 * subscriber is handed in turn (kept until the next one, not per row: no table for the GC to sweep).
 */
let batchRows: readonly EventRow[] | null = null;
let batchFrames: (string | undefined)[] = [];
function liveFrame(rows: readonly EventRow[], i: number): string {
  if (rows !== batchRows) {
    batchRows = rows;
    batchFrames = new Array(rows.length);
  }
  let f = batchFrames[i];
  if (f === undefined) {
    f = frame(rows[i]!);
    batchFrames[i] = f;
  }
  return f;
}

const alertFrame = (a: Alert) => `event: ${JournalSse.ALERT}\ndata: ${JSON.stringify(toJournalAlert(a))}\n\n`;

export class EventStream implements JournalSubscriber, FanOutWriter {
  /** Written before the WebSocket clients in each write of the fan-out (see FanOutWriter). */
  readonly leads = true;
  private mode: 'replay' | 'live' | 'closed' = 'replay';
  private cursor: number;
  /** Alerts changed while not live (or behind): their state is read again when the stream goes live. */
  private readonly pendingAlerts = new Set<number>();
  /** Alert changes, by id: each alert's newest state, at most once per `alertCoalesceMs`. */
  private readonly alertChanges: ChangeCoalescer<number, Alert>;
  private readonly unsubscribe: () => void;
  private readonly heartbeat: NodeJS.Timeout;
  private stallTimer: NodeJS.Timeout | null = null;
  private waitingForDrain = false;
  /** Live frames not written yet (see `queue`). */
  private waiting = '';

  constructor(
    private readonly res: ServerResponse,
    private readonly journal: Journal,
    private readonly filter: StreamFilter,
    after: number | null,
    private readonly opts: EventStreamOptions = DEFAULT_STREAM_OPTIONS,
  ) {
    this.alertChanges = new ChangeCoalescer(opts.alertCoalesceMs ?? 0, (alerts) =>
      this.releaseAlerts(alerts),
    );
    const head = journal.headSeq;
    // A resume point from the future (a journal that was replaced) continues from now.
    this.cursor = after === null ? head : Math.min(after, head);
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-accel-buffering': 'no',
    });
    const open = journal.listAlerts({ state: 'open', limit: 1000, ...(filter.vm ? { vm: filter.vm } : {}) });
    res.write(
      `retry: ${opts.retryMs}\nid: ${this.cursor}\nevent: ${JournalSse.ALERTS}\ndata: ${JSON.stringify({
        alerts: open.map(toJournalAlert),
      })}\n\n`,
    );
    this.unsubscribe = journal.subscribe(this);
    this.heartbeat = setInterval(() => {
      if (this.mode !== 'closed' && this.res.writableLength < this.opts.maxBufferedBytes)
        this.res.write(': keepalive\n\n');
    }, opts.heartbeatMs);
    res.on('close', () => this.close());
    res.on('error', () => this.close());
    if (this.cursor >= head) this.goLive();
    else journalSlices.later(() => this.pump());
  }

  get state(): 'replay' | 'live' | 'closed' {
    return this.mode;
  }

  records(rows: EventRow[]): void {
    if (this.mode !== 'live') return;
    let chunk = '';
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      if (r.seq <= this.cursor || !this.matches(r)) continue;
      chunk += liveFrame(rows, i);
      this.cursor = r.seq;
    }
    if (chunk) this.queue(chunk);
    if (this.res.writableLength + this.waiting.length > this.opts.maxBufferedBytes) {
      this.writeWaiting();
      this.mode = 'replay';
      this.awaitDrain();
    }
  }

  alert(a: Alert): void {
    if (this.mode === 'closed' || (this.filter.vm !== undefined && a.vm !== this.filter.vm)) return;
    if (!this.canQueue()) {
      this.pendingAlerts.add(a.id);
      return;
    }
    this.alertChanges.change(a.id, a);
  }

  /** Alert changes leave, each alert's newest state, in the order they first changed. */
  private releaseAlerts(alerts: Alert[]): void {
    if (!this.canQueue()) {
      for (const a of alerts) this.pendingAlerts.add(a.id);
      return;
    }
    let chunk = '';
    for (const a of alerts) chunk += alertFrame(a);
    this.queue(chunk);
  }

  private canQueue(): boolean {
    return (
      this.mode === 'live' && this.res.writableLength + this.waiting.length <= this.opts.maxBufferedBytes
    );
  }

  /** Writes the live frames queued since the fan-out's last tick (records and alerts, in order). */
  writeWaiting(): void {
    const chunk = this.waiting;
    if (chunk === '') return;
    this.waiting = '';
    fanOutClock.wrote(this);
    if (this.mode !== 'closed' && !this.res.destroyed) this.res.write(chunk);
  }

  close(): void {
    if (this.mode === 'closed') return;
    this.mode = 'closed';
    this.waiting = '';
    fanOutClock.wrote(this);
    this.unsubscribe();
    clearInterval(this.heartbeat);
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.alertChanges.clear();
    if (!this.res.destroyed) this.res.end();
  }

  /** Live frames wait for the fan-out's tick: one write for every batch the journal published meanwhile. */
  private queue(text: string): void {
    if (this.waiting === '') fanOutClock.wait(this);
    this.waiting += text;
  }

  private matches(r: EventRow): boolean {
    return (
      (this.filter.vm === undefined || r.vm === this.filter.vm) &&
      (!this.filter.events?.length || this.filter.events.includes(r.event))
    );
  }

  /**
   * Writes one replay page, then asks for another turn (or waits for the socket to drain first);
   * goes live when nothing published is left.
   */
  private pump(): void {
    if (this.mode !== 'replay' || this.waitingForDrain) return;
    const rows = this.journal.readAfter(this.cursor, this.filter, this.opts.pageSize);
    let chunk = '';
    for (const r of rows) chunk += frame(r);
    if (rows.length > 0) this.cursor = rows[rows.length - 1]!.seq;
    const drained = chunk === '' || this.res.write(chunk);
    if (rows.length < this.opts.pageSize) {
      // Same synchronous turn as the read: anything published from now on arrives live.
      this.goLive();
      return;
    }
    if (!drained) this.awaitDrain();
    else journalSlices.later(() => this.pump());
  }

  private goLive(): void {
    this.mode = 'live';
    let chunk = '';
    for (const id of this.pendingAlerts) {
      const a = this.journal.getAlert(id);
      if (a) chunk += alertFrame(a);
    }
    this.pendingAlerts.clear();
    if (chunk) this.res.write(chunk);
  }

  private awaitDrain(): void {
    if (this.waitingForDrain || this.mode === 'closed') return;
    this.waitingForDrain = true;
    this.stallTimer = setTimeout(() => this.res.destroy(), this.opts.stallTimeoutMs);
    this.res.once('drain', () => {
      this.waitingForDrain = false;
      if (this.stallTimer) clearTimeout(this.stallTimer);
      this.stallTimer = null;
      journalSlices.later(() => this.pump());
    });
  }
}
