// The live journal: every event is committed before any client sees it, in batches, in order.
//
// Write before fan-out: the hub hands each QEMU event to `sink` with a `deliver` callback. Events are
// queued with their sequence numbers; on `setImmediate` (or at `batchMax`) the queue is committed in
// one transaction and only then is each `deliver()` called, in order, followed by the SSE subscribers.
//
// When a commit fails (disk full, I/O error) the events are delivered anyway (an operator losing live
// visibility during a disk-full incident would be worse), kept in a memory backlog (readable by
// `readAfter`, so SSE resumes still have no gap), reported by `health()`, and retried with backoff.
// Past `maxBacklog` events the newest are dropped from the journal (still delivered) and a
// CONSOLE_JOURNAL_GAP record says how many and which sequence numbers once writes succeed again.
import type { CommandRecord, JournalHealth, JournalRecord, JournalStatus } from '../../protocol/journal.ts';
import { ConsoleEvent } from '../../protocol/journal.ts';
import type { JsonObject, QmpEvent } from '../../protocol/qmp.ts';
import type { EventSink } from '../hub/vm-hub.ts';
import { log } from '../log.ts';
import type { UpstreamStatus } from '../qmp/upstream-session.ts';
import { type Alert, AlertBook } from './alert-book.ts';
import type {
  AlertQuery,
  AuditRow,
  EventQuery,
  EventRow,
  JournalStore,
  RetentionPolicy,
} from './journal-store.ts';

export interface JournalOptions {
  /** Commit at once when this many events are queued (default 1000). */
  batchMax?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Events kept in memory while the database fails (default 200,000). */
  maxBacklog?: number;
  retention?: Partial<RetentionPolicy>;
  /** How often retention runs, and how many rows one step deletes (default 1000 ms, 2000 rows). */
  pruneIntervalMs?: number;
  pruneBatch?: number;
  /**
   * Audit records need no write-before-reply: they ride on the next event batch or are committed after
   * this delay (default 250 ms), so a command's own commit never sits in the next command's path.
   */
  auditDelayMs?: number;
  now?: () => number;
}

/** What SSE streams listen to. Called after a commit, synchronously, in sequence order. */
export interface JournalSubscriber {
  records(records: EventRow[]): void;
  alert(alert: Alert): void;
  /** Writes started failing or recovered (`health()` says how it is now). */
  healthChanged?(): void;
}

interface Queued {
  row: EventRow;
  data: JsonObject | undefined;
  deliver: (() => void) | null;
}

export const DEFAULT_RETENTION: RetentionPolicy = { maxEvents: 1_000_000, maxAgeMs: null };

/** A record's JSON text, built without re-parsing the stored data. */
export function recordJson(r: EventRow): string {
  return `{"seq":${r.seq},"vm":${JSON.stringify(r.vm)},"event":${JSON.stringify(r.event)}${
    r.data !== null ? `,"data":${r.data}` : ''
  },"timestamp":{"seconds":${r.tsSeconds},"microseconds":${r.tsMicro}},"received":"${new Date(
    r.received,
  ).toISOString()}"${r.source === 'console' ? ',"source":"console"' : ''}}`;
}

export function toJournalRecord(r: EventRow): JournalRecord {
  return JSON.parse(recordJson(r)) as JournalRecord;
}

export class Journal {
  readonly alerts: AlertBook;
  private queue: Queued[] = [];
  private audits: AuditRow[] = [];
  /** Rows published (delivered) but not yet committed, in order; non-empty only while failing. */
  private backlog: EventRow[] = [];
  private flushScheduled = false;
  private auditTimer: NodeJS.Timeout | null = null;
  private lastReceived: number;
  private nextSeq: number;
  private publishedSeq: number;
  private failure: { error: string; since: number } | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay: number;
  private lost: { count: number; first: number; last: number } | null = null;
  private lostTotal = 0;
  private readonly subscribers = new Set<JournalSubscriber>();
  private readonly lastFact = new Map<string, string>();
  private pruneTimer: NodeJS.Timeout | null = null;
  private pruning = false;
  private closed = false;
  private readonly opts: Required<Omit<JournalOptions, 'retention'>>;
  readonly retention: RetentionPolicy;

  constructor(
    readonly store: JournalStore,
    options: JournalOptions = {},
  ) {
    this.opts = {
      batchMax: 1000,
      retryInitialMs: 100,
      retryMaxMs: 5000,
      maxBacklog: 200_000,
      pruneIntervalMs: 1000,
      pruneBatch: 2000,
      auditDelayMs: 250,
      now: Date.now,
      ...options,
    };
    this.retention = { ...DEFAULT_RETENTION, ...options.retention };
    this.retryDelay = this.opts.retryInitialMs;
    this.nextSeq = store.lastSeq + 1;
    this.lastReceived = store.lastReceived();
    this.publishedSeq = store.lastSeq;
    this.alerts = new AlertBook(store.openAlerts(), store.maxAlertId());
  }

  /** The hub's EventSink: journal first, then `deliver`. */
  readonly sink: EventSink = (vm: string, event: QmpEvent, _raw: string, deliver: () => void) => {
    this.enqueue(
      vm,
      event.event,
      event.data,
      event.timestamp.seconds,
      event.timestamp.microseconds,
      'qemu',
      deliver,
    );
  };

  /**
   * Appends a record that was journaled elsewhere first (a host's, on the fleet console), keeping its
   * QEMU timestamp and source. Returns the seq it gets here; `deliver` runs once it is committed.
   */
  append(
    vm: string,
    event: string,
    data: JsonObject | undefined,
    timestamp: { seconds: number; microseconds: number },
    source: 'qemu' | 'console',
    deliver: (() => void) | null,
  ): number {
    const seq = this.nextSeq;
    this.enqueue(vm, event, data, timestamp.seconds, timestamp.microseconds, source, deliver);
    return seq;
  }

  /** Records the console's own fact about a VM's connection, once per change. */
  vmStatus(vm: string, status: UpstreamStatus): void {
    if (status.state === 'connected') {
      const version = status.greeting?.QMP.version ?? null;
      this.fact(vm, ConsoleEvent.CONNECTED, { version: version as unknown as JsonObject });
    } else if (status.state === 'disconnected') {
      this.fact(vm, ConsoleEvent.DISCONNECTED, { reason: status.error ?? 'closed' });
    }
  }

  /** A command's audit record (argument names only). */
  recordCommand(rec: CommandRecord): void {
    if (this.closed) return;
    if (this.audits.length >= this.opts.maxBacklog) return;
    this.audits.push({
      at: this.opts.now(),
      vm: rec.vm,
      command: rec.command,
      argumentNames: rec.argumentNames,
      outcome: rec.outcome,
      errorClass: rec.errorClass ?? null,
      role: rec.context.role,
      remote: rec.context.remoteAddress,
    });
    if (this.audits.length >= this.opts.batchMax) this.schedule();
    else this.scheduleAudit();
  }

  /** Commits waiting audit records now (a reader of the audit trail sees the command just run). */
  flushAudit(): void {
    if (this.audits.length > 0) this.flush();
  }

  subscribe(s: JournalSubscriber): () => void {
    this.subscribers.add(s);
    return () => this.subscribers.delete(s);
  }

  /** The newest sequence number clients may have seen; streams without a resume point start here. */
  get headSeq(): number {
    return this.publishedSeq;
  }

  /**
   * Up to `limit` records after `after`, ascending, from the database and then the backlog: exactly
   * what has been published, nothing more.
   */
  readAfter(after: number, filter: Pick<EventQuery, 'vm' | 'events'>, limit: number): EventRow[] {
    const rows = this.store.query({ ...filter, after, limit, order: 'asc' });
    if (rows.length < limit && this.backlog.length > 0) {
      const from = rows.length > 0 ? rows[rows.length - 1]!.seq : after;
      for (const r of this.backlog) {
        if (rows.length >= limit) break;
        if (r.seq > from && matches(r, filter)) rows.push(r);
      }
    }
    return rows;
  }

  /** Database query, plus the backlog's records while writes fail. */
  query(q: EventQuery): EventRow[] {
    const rows = this.store.query(q);
    if (this.backlog.length === 0) return rows;
    const extra = this.backlog.filter(
      (r) =>
        matches(r, q) &&
        (q.after === undefined || r.seq > q.after) &&
        (q.before === undefined || r.seq < q.before) &&
        (q.since === undefined || r.received >= q.since) &&
        (q.until === undefined || r.received < q.until),
    );
    const all = [...rows, ...extra].sort((a, b) => (q.order === 'asc' ? a.seq - b.seq : b.seq - a.seq));
    return all.slice(0, q.limit);
  }

  /** Alerts from the database with the unsaved in-memory changes laid over them. */
  listAlerts(q: AlertQuery): Alert[] {
    const byId = new Map(this.store.alerts(q).map((a) => [a.id, a]));
    for (const a of this.alerts.pending()) {
      if ((q.state === undefined || a.state === q.state) && (q.vm === undefined || a.vm === q.vm))
        byId.set(a.id, a);
      else byId.delete(a.id);
    }
    return [...byId.values()].sort((a, b) => b.last - a.last || b.id - a.id).slice(0, q.limit);
  }

  getAlert(id: number): Alert | null {
    return this.alerts.get(id) ?? this.store.alert(id);
  }

  /**
   * Acknowledges an alert: 'not-found', the alert as it now is (already acknowledged alerts are
   * returned unchanged). Queued events are committed first so they coalesce into the alert they
   * belong to.
   */
  acknowledge(id: number, by: string): Alert | 'not-found' {
    this.flush();
    const changed = this.alerts.acknowledge(id, by, this.opts.now());
    if (!changed) return this.getAlert(id) ?? 'not-found';
    if (!this.failure) this.write([]);
    for (const s of this.subscribers) s.alert(changed);
    return changed;
  }

  health(): JournalHealth {
    return {
      ok: this.failure === null,
      error: this.failure?.error ?? null,
      failingSince: this.failure ? new Date(this.failure.since).toISOString() : null,
      backlog: this.backlog.length,
      lost: this.lostTotal,
    };
  }

  status(): JournalStatus {
    return {
      ...this.health(),
      firstSeq: this.store.firstSeq() || (this.backlog[0]?.seq ?? 0),
      lastSeq: this.publishedSeq,
      retention: { ...this.retention },
    };
  }

  /** Starts retention on its timer. */
  startRetention(): void {
    if (this.pruneTimer) return;
    this.pruneTimer = setInterval(() => this.pruneSome(), this.opts.pruneIntervalMs);
    this.pruneTimer.unref();
  }

  /** Deletes in small steps, yielding between them, until nothing is past the policy. */
  pruneSome(): void {
    if (this.pruning || this.closed || this.failure) return;
    this.pruning = true;
    const step = () => {
      if (this.closed || this.failure) {
        this.pruning = false;
        return;
      }
      let n = 0;
      try {
        n = this.store.prune(this.retention, this.opts.now(), this.opts.pruneBatch);
      } catch (err) {
        log.warn('journal retention step failed', { error: String(err) });
      }
      if (n >= this.opts.pruneBatch) setImmediate(step);
      else this.pruning = false;
    };
    step();
  }

  /** Commits what is queued, then delivers it: synchronous. */
  flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0 && this.audits.length === 0 && this.alerts.pending().length === 0) return;
    const batch = this.queue;
    this.queue = [];
    const rows = batch.map((q) => q.row);
    const changed = new Map<number, Alert>();
    for (const q of batch) {
      if (q.row.source !== 'qemu') continue;
      const a = this.alerts.apply(q.row.vm, q.row.event, q.data, q.row.seq, q.row.received);
      if (a) changed.set(a.id, a);
    }
    if (this.failure || !this.write(rows)) this.keep(rows);
    for (const q of batch) {
      try {
        q.deliver?.();
      } catch (err) {
        log.error('event delivery failed', { error: String(err) });
      }
    }
    if (rows.length > 0) this.publishedSeq = rows[rows.length - 1]!.seq;
    for (const s of this.subscribers) {
      if (rows.length > 0) s.records(rows);
      for (const a of changed.values()) s.alert(a);
    }
  }

  /** Commits what is pending and closes the database. */
  close(): void {
    if (this.closed) return;
    this.flush();
    if (this.failure) this.retry();
    if (this.failure)
      log.error('journal closed with events it could not write', {
        events: this.backlog.length,
        error: this.failure.error,
      });
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.auditTimer) clearTimeout(this.auditTimer);
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.subscribers.clear();
    this.store.close();
  }

  private fact(vm: string, event: string, data: JsonObject): void {
    if (this.lastFact.get(vm) === event) return;
    this.lastFact.set(vm, event);
    const now = this.opts.now();
    this.enqueue(vm, event, data, Math.floor(now / 1000), (now % 1000) * 1000, 'console', null);
  }

  private enqueue(
    vm: string,
    event: string,
    data: JsonObject | undefined,
    tsSeconds: number,
    tsMicro: number,
    source: 'qemu' | 'console',
    deliver: (() => void) | null,
  ): void {
    if (this.closed) {
      deliver?.();
      return;
    }
    const row: EventRow = {
      seq: this.nextSeq++,
      vm,
      event,
      data: data === undefined ? null : JSON.stringify(data),
      tsSeconds,
      tsMicro,
      received: this.receivedNow(),
      source,
    };
    this.queue.push({ row, data, deliver });
    if (this.queue.length >= this.opts.batchMax) this.flush();
    else this.schedule();
  }

  /** The wall clock, but never before the last event's: seq order stays time order (the store relies on it). */
  private receivedNow(): number {
    this.lastReceived = Math.max(this.opts.now(), this.lastReceived);
    return this.lastReceived;
  }

  private scheduleAudit(): void {
    if (this.auditTimer || this.flushScheduled) return;
    this.auditTimer = setTimeout(() => {
      this.auditTimer = null;
      this.schedule();
    }, this.opts.auditDelayMs);
    this.auditTimer.unref();
  }

  private schedule(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /**
   * Writes `rows`, the unsaved alert states and the audit records in one transaction. On failure
   * nothing is written and nothing is forgotten: the caller keeps `rows`, alerts stay unsaved.
   */
  private write(rows: EventRow[]): boolean {
    const alerts = this.alerts.pending();
    const audits = this.audits;
    try {
      this.store.commit(rows, alerts, audits);
    } catch (err) {
      this.fail(err);
      return false;
    }
    this.audits = [];
    this.alerts.saved(alerts);
    return true;
  }

  private keep(rows: EventRow[]): void {
    for (const r of rows) {
      if (this.backlog.length < this.opts.maxBacklog) {
        this.backlog.push(r);
        continue;
      }
      this.lostTotal++;
      if (this.lost) this.lost = { ...this.lost, count: this.lost.count + 1, last: r.seq };
      else this.lost = { count: 1, first: r.seq, last: r.seq };
    }
  }

  private fail(err: unknown): void {
    const e = err as { code?: string; message?: string };
    const error = `cannot write the event journal: ${e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}`;
    if (!this.failure) {
      this.failure = { error, since: this.opts.now() };
      log.error('journal writes failing; keeping events in memory and retrying', { error });
      for (const s of this.subscribers) s.healthChanged?.();
    } else {
      this.failure.error = error;
    }
    if (!this.retryTimer && !this.closed) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.retry();
      }, this.retryDelay);
      this.retryTimer.unref();
      this.retryDelay = Math.min(this.retryDelay * 2, this.opts.retryMaxMs);
    }
  }

  /** Writes the backlog (and a gap record, if events were dropped); ends the failure on success. */
  private retry(): void {
    if (!this.failure) return;
    // Queued events join the backlog first, so the gap record below is the newest.
    this.flush();
    const rows = this.backlog.slice();
    const gap = this.lost;
    let gapRow: EventRow | null = null;
    if (gap) {
      const now = this.receivedNow();
      gapRow = {
        seq: this.nextSeq,
        vm: '',
        event: ConsoleEvent.JOURNAL_GAP,
        data: JSON.stringify({ lost: gap.count, firstSeq: gap.first, lastSeq: gap.last }),
        tsSeconds: Math.floor(now / 1000),
        tsMicro: (now % 1000) * 1000,
        received: now,
        source: 'console',
      };
      rows.push(gapRow);
    }
    if (!this.write(rows)) return;
    log.info('journal writes recovered', { written: rows.length, lost: gap?.count ?? 0 });
    this.failure = null;
    this.backlog = [];
    this.retryDelay = this.opts.retryInitialMs;
    for (const s of this.subscribers) s.healthChanged?.();
    if (gapRow) {
      this.nextSeq++;
      this.lost = null;
      this.publishedSeq = gapRow.seq;
      for (const s of this.subscribers) s.records([gapRow]);
    }
  }
}

function matches(r: EventRow, f: Pick<EventQuery, 'vm' | 'events'>): boolean {
  return (f.vm === undefined || r.vm === f.vm) && (!f.events?.length || f.events.includes(r.event));
}
