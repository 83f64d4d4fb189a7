// The live journal: every event is written before any client sees it, in batches, in order.
//
// Write before fan-out: the hub hands each QEMU event to `sink` with a `deliver` callback. Events are
// queued with their sequence numbers; once the code that read them from QEMU's socket has run (a
// microtask: no event-loop turn is waited for) the batch is appended to the event log in one write, and
// only then is each `deliver()` called, in order, followed by the SSE subscribers. SQLite is filled
// from the same rows behind that, in larger transactions (`saveDelayMs`), with the alert states and the
// command audit; readers see the rows not yet in SQLite laid over the database's.
//
// When SQLite cannot be written (disk full, I/O error) the rows stay in memory (and in the log), are
// reported by `health()`, and the fill is retried with backoff. Past `maxBacklog` events the newest are
// dropped from memory (still delivered) and a CONSOLE_JOURNAL_GAP record says how many and which
// sequence numbers once writes succeed again. When the log itself cannot be written, the batch goes
// to SQLite before delivery, as it would without a log.
import type { CommandRecord, JournalHealth, JournalStatus } from '../../protocol/journal.ts';
import { ConsoleEvent } from '../../protocol/journal.ts';
import type { JsonObject, QmpEvent } from '../../protocol/qmp.ts';
import type { EventSink } from '../hub/vm-hub.ts';
import { log } from '../log.ts';
import type { UpstreamStatus } from '../qmp/upstream-session.ts';
import { type Alert, AlertBook } from './alert-book.ts';
import { DatabaseFill } from './database-fill.ts';
import { EventLog } from './event-log.ts';
import type { AlertQuery, AuditRetentionPolicy, EventQuery, EventRow, RetentionPolicy } from './event-row.ts';
import type { JournalStore } from './journal-store.ts';

export { recordJson, toJournalRecord } from './event-row.ts';

export interface JournalOptions {
  /** Appends to the log at once when this many events are queued (default 1000). */
  batchMax?: number;
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** Events kept in memory while the database fails (default 200,000). */
  maxBacklog?: number;
  retention?: Partial<RetentionPolicy>;
  /** The audit trail's own retention (default 1,000,000 records, no age limit). */
  auditRetention?: Partial<AuditRetentionPolicy>;
  /** How often retention runs, and how many rows one step deletes (default 1000 ms, 2000 rows). */
  pruneIntervalMs?: number;
  pruneBatch?: number;
  /**
   * How long rows, alert states and audit records wait for their SQLite transaction (default 100 ms):
   * one commit for a storm's worth of events, off the path from QEMU to the clients.
   */
  saveDelayMs?: number;
  /** Fills SQLite at once when this many rows wait (default 20,000). */
  saveMax?: number;
  /**
   * SQLite's WAL is copied back into the database (a checkpoint: tens of milliseconds on a busy disk)
   * once the saves pause this long (default 1000 ms), or when this many rows and audit records were
   * saved since the last one (default 50,000): not in the middle of a storm every 1000 pages.
   */
  checkpointIdleMs?: number;
  checkpointRows?: number;
  now?: () => number;
}

/** What SSE streams listen to. Called after delivery, synchronously, in sequence order. */
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
export const DEFAULT_AUDIT_RETENTION: AuditRetentionPolicy = { maxRecords: 1_000_000, maxAgeMs: null };

/**
 * QEMU's own text of an event's `data` when it holds an integer a JS number would round (a u64 such as
 * BLOCK_WRITE_THRESHOLD's `write-threshold`); undefined otherwise, and whenever the line is not laid
 * out as QEMU writes events.
 */
export function exactDataText(event: QmpEvent, raw: string): string | undefined {
  if (event.data === undefined || !/\d{16}/.test(raw)) return undefined;
  const { seconds, microseconds } = event.timestamp;
  const head = `{"timestamp": {"seconds": ${seconds}, "microseconds": ${microseconds}}, "event": ${JSON.stringify(event.event)}, "data": `;
  return raw.startsWith(head) && raw.endsWith('}') ? raw.slice(head.length, -1) : undefined;
}

/** The append-only log beside a journal's database. */
export const eventLogFile = (databaseFile: string) => `${databaseFile}-events.log`;

export class Journal {
  readonly alerts: AlertBook;
  private queue: Queued[] = [];
  private readonly fill: DatabaseFill;
  private readonly log: EventLog;
  private logFailing = false;
  private flushScheduled = false;
  private lastReceived: number;
  private nextSeq: number;
  private publishedSeq: number;
  private readonly subscribers = new Set<JournalSubscriber>();
  private readonly lastFact = new Map<string, string>();
  private pruneTimer: NodeJS.Timeout | null = null;
  private pruning = false;
  private closed = false;
  private readonly opts: Required<Omit<JournalOptions, 'retention' | 'auditRetention'>>;
  readonly retention: RetentionPolicy;
  readonly auditRetention: AuditRetentionPolicy;

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
      saveDelayMs: 100,
      saveMax: 20_000,
      checkpointIdleMs: 1000,
      checkpointRows: 50_000,
      now: Date.now,
      ...options,
    };
    this.retention = { ...DEFAULT_RETENTION, ...options.retention };
    this.auditRetention = { ...DEFAULT_AUDIT_RETENTION, ...options.auditRetention };
    this.alerts = new AlertBook(store.openAlerts(), store.maxAlertId());
    this.log = new EventLog(eventLogFile(store.file));
    this.fill = new DatabaseFill(store, this.alerts, this.opts, {
      nextRow: () => ({ seq: this.nextSeq, received: this.receivedNow() }),
      published: (row) => {
        this.nextSeq = row.seq + 1;
        this.publishedSeq = row.seq;
        for (const s of this.subscribers) s.records([row]);
      },
      caughtUp: () => this.log.clear(),
      healthChanged: () => {
        for (const s of this.subscribers) s.healthChanged?.();
      },
      beforeRetry: () => this.flush(),
    });
    this.recover();
    this.nextSeq = store.lastSeq + 1;
    this.lastReceived = store.lastReceived();
    this.publishedSeq = store.lastSeq;
  }

  /** The hub's EventSink: journal first, then `deliver`. */
  readonly sink: EventSink = (vm: string, event: QmpEvent, raw: string, deliver: () => void) => {
    this.enqueue(
      vm,
      event.event,
      event.data,
      event.timestamp.seconds,
      event.timestamp.microseconds,
      'qemu',
      deliver,
      exactDataText(event, raw),
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

  /** A command's audit record (argument names only): it needs no write before the reply. */
  recordCommand(rec: CommandRecord): void {
    if (this.closed) return;
    this.fill.addAudit({
      at: this.opts.now(),
      vm: rec.vm,
      command: rec.command,
      argumentNames: rec.argumentNames,
      outcome: rec.outcome,
      errorClass: rec.errorClass ?? null,
      role: rec.context.role,
      remote: rec.context.remoteAddress,
      count: rec.count ?? 1,
    });
    if (this.fill.auditsWaiting >= this.opts.saveMax && !this.fill.failing) this.fill.save();
    else this.fill.schedule();
  }

  /** Commits waiting audit records now (a reader of the audit trail sees the command just run). */
  flushAudit(): void {
    if (this.fill.auditsWaiting > 0) this.settle();
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
   * Up to `limit` records after `after`, ascending, from the database and then the rows not in it yet:
   * exactly what has been published, nothing more.
   */
  readAfter(after: number, filter: Pick<EventQuery, 'vm' | 'events'>, limit: number): EventRow[] {
    return this.fill.unsaved.readAfter(this.store, after, filter, limit);
  }

  /** Database query, plus the published rows not in the database yet. */
  query(q: EventQuery): EventRow[] {
    return this.fill.unsaved.query(this.store, q);
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
   * returned unchanged). Queued events are written first so they coalesce into the alert they
   * belong to; the acknowledgement is in SQLite before the answer.
   */
  acknowledge(id: number, by: string): Alert | 'not-found' {
    this.flush();
    const changed = this.alerts.acknowledge(id, by, this.opts.now());
    if (!changed) return this.getAlert(id) ?? 'not-found';
    if (!this.fill.failing) this.fill.save();
    for (const s of this.subscribers) s.alert(changed);
    return changed;
  }

  health(): JournalHealth {
    const failure = this.fill.failing;
    return {
      ok: failure === null,
      error: failure?.error ?? null,
      failingSince: failure ? new Date(failure.since).toISOString() : null,
      backlog: failure ? this.fill.unsaved.length : 0,
      lost: this.fill.unsaved.lostTotal,
      auditBacklog: failure ? this.fill.auditsWaiting : 0,
      auditLost: this.fill.auditLost,
    };
  }

  status(): JournalStatus {
    return {
      ...this.health(),
      firstSeq: this.store.firstSeq() || (this.fill.unsaved.first?.seq ?? 0),
      lastSeq: this.publishedSeq,
      retention: { ...this.retention },
      auditRetention: { ...this.auditRetention },
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
    if (this.pruning || this.closed || this.fill.failing) return;
    this.pruning = true;
    const step = () => {
      if (this.closed || this.fill.failing) {
        this.pruning = false;
        return;
      }
      let n = 0;
      try {
        n = this.store.prune(this.retention, this.opts.now(), this.opts.pruneBatch, this.auditRetention);
      } catch (err) {
        log.warn('journal retention step failed', { error: String(err) });
      }
      if (n >= this.opts.pruneBatch) setImmediate(step);
      else this.pruning = false;
    };
    step();
  }

  /** Writes what is queued to the log, then delivers it: synchronous. */
  flush(): void {
    this.flushScheduled = false;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    const rows = batch.map((q) => q.row);
    const changed = new Map<number, Alert>();
    for (const q of batch) {
      if (q.row.source !== 'qemu') continue;
      const a = this.alerts.apply(q.row.vm, q.row.event, q.data, q.row.seq, q.row.received);
      if (a) changed.set(a.id, a);
    }
    this.fill.add(rows);
    if (!this.appendToLog(rows) && !this.fill.failing) this.fill.save();
    for (const q of batch) {
      try {
        q.deliver?.();
      } catch (err) {
        log.error('event delivery failed', { error: String(err) });
      }
    }
    this.publishedSeq = rows[rows.length - 1]!.seq;
    for (const s of this.subscribers) {
      s.records(rows);
      for (const a of changed.values()) s.alert(a);
    }
    if (this.fill.unsaved.length >= this.opts.saveMax && !this.fill.failing) this.fill.save();
    else this.fill.schedule();
  }

  /** Writes and delivers what is queued and fills SQLite with everything published. */
  settle(): void {
    this.flush();
    this.fill.settle();
  }

  /** Fills SQLite with what is pending and closes the database. */
  close(): void {
    if (this.closed) return;
    this.settle();
    const failure = this.fill.failing;
    if (failure)
      log.error('journal closed with events it could not write to its database', {
        events: this.fill.unsaved.length,
        error: failure.error,
        log: this.log.file,
      });
    this.closed = true;
    this.fill.close();
    if (this.pruneTimer) clearInterval(this.pruneTimer);
    this.subscribers.clear();
    this.log.close();
    this.store.close();
  }

  /** Rows a console that stopped before filling SQLite left in the log: into SQLite, with their alerts. */
  private recover(): void {
    const last = this.store.lastSeq;
    const rows = this.log.recover().filter((r) => r.seq > last);
    if (rows.length > 0) {
      for (const r of rows) {
        if (r.source !== 'qemu') continue;
        const data = r.data === null ? undefined : (JSON.parse(r.data) as JsonObject);
        this.alerts.apply(r.vm, r.event, data, r.seq, r.received);
      }
      this.store.commit(rows, this.alerts.pending());
      this.alerts.saved(this.alerts.pending());
      log.info('journal: events recovered from the log', { events: rows.length, log: this.log.file });
    }
    this.log.clear();
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
    dataText?: string,
  ): void {
    if (this.closed) {
      deliver?.();
      return;
    }
    const row: EventRow = {
      seq: this.nextSeq++,
      vm,
      event,
      data: data === undefined ? null : (dataText ?? JSON.stringify(data)),
      tsSeconds,
      tsMicro,
      received: this.receivedNow(),
      source,
    };
    this.queue.push({ row, data, deliver });
    if (this.queue.length >= this.opts.batchMax) this.flush();
    else if (!this.flushScheduled) {
      // After the rest of this read from QEMU's socket: one write for every event it held.
      this.flushScheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  /** The wall clock, but never before the last event's: seq order stays time order (the store relies on it). */
  private receivedNow(): number {
    this.lastReceived = Math.max(this.opts.now(), this.lastReceived);
    return this.lastReceived;
  }

  /** Appends to the log; false when the log cannot take the rows (they must reach SQLite before delivery). */
  private appendToLog(rows: EventRow[]): boolean {
    try {
      this.log.append(rows);
      if (this.logFailing) log.info('journal log writes recovered', { log: this.log.file });
      this.logFailing = false;
      return true;
    } catch (err) {
      if (!this.logFailing)
        log.error('journal log write failed; writing events to the database first', {
          log: this.log.file,
          error: String(err),
        });
      this.logFailing = true;
      return false;
    }
  }
}
