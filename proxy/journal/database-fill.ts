// Fills SQLite behind the event log: the published rows, the alert states and the command audit, in
// one transaction per `saveDelayMs`. While SQLite cannot be written (disk full, I/O error) everything
// stays in memory, is reported, and the fill is retried with backoff.
import { ConsoleEvent } from '../../protocol/journal.ts';
import { log } from '../log.ts';
import type { AlertBook } from './alert-book.ts';
import type { AuditRow, EventRow } from './event-row.ts';
import type { JournalStore } from './journal-store.ts';
import { UnsavedRows } from './unsaved-rows.ts';

export interface DatabaseFillOptions {
  /** The WAL is checkpointed once no save has written anything for this long… */
  checkpointIdleMs: number;
  /** …or at once when this many rows and audit records were written since the last. */
  checkpointRows: number;
  retryInitialMs: number;
  retryMaxMs: number;
  maxBacklog: number;
  saveDelayMs: number;
  now: () => number;
}

export interface DatabaseFillHooks {
  /** Numbers a gap record: the journal's next seq (taken by `published` once saved) and the time. */
  nextRow(): { seq: number; received: number };
  /** A gap record is in SQLite: clients may see it. */
  published(row: EventRow): void;
  /** SQLite holds every published row: the event log may start again from empty. */
  caughtUp(): void;
  /** Before a retry: events still queued join the rows. */
  beforeRetry(): void;
  /** Writes started failing, or recovered. */
  healthChanged(): void;
}

export class DatabaseFill {
  readonly unsaved: UnsavedRows;
  private audits: AuditRow[] = [];
  /** Audit records dropped since the console started: memory full while SQLite failed, or closing. */
  private auditsDropped = 0;
  private failure: { error: string; since: number } | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay: number;
  private saveTimer: NodeJS.Timeout | null = null;
  private checkpointTimer: NodeJS.Timeout | null = null;
  /** Rows and audit records written since the last checkpoint: about what the WAL holds. */
  private uncheckpointed = 0;
  private closed = false;

  constructor(
    private readonly store: JournalStore,
    private readonly alerts: AlertBook,
    private readonly opts: DatabaseFillOptions,
    private readonly hooks: DatabaseFillHooks,
  ) {
    this.unsaved = new UnsavedRows(opts.maxBacklog);
    this.retryDelay = opts.retryInitialMs;
  }

  get failing(): { error: string; since: number } | null {
    return this.failure;
  }

  get auditsWaiting(): number {
    return this.audits.length;
  }

  /** Published rows; bounded by `maxBacklog` only while SQLite fails. */
  add(rows: readonly EventRow[]): void {
    this.unsaved.add(rows, this.failure !== null);
  }

  /** Audit records that could not be kept (the backlog was full while SQLite failed). */
  get auditLost(): number {
    return this.auditsDropped;
  }

  /** Kept for the next fill; bounded by `maxBacklog` only while SQLite fails, as the rows are. */
  addAudit(a: AuditRow): void {
    if (this.failure && this.audits.length >= this.opts.maxBacklog) {
      if (this.auditsDropped++ === 0 || this.auditsDropped % 10_000 === 0)
        log.error('audit records dropped: the journal cannot write and its memory backlog is full', {
          lost: this.auditsDropped,
          error: this.failure?.error ?? null,
        });
      return;
    }
    this.audits.push(a);
  }

  /** Fills SQLite after the save delay (nothing to do while failing: the retry timer runs). */
  schedule(): void {
    if (this.saveTimer || this.failure || this.closed) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.save();
    }, this.opts.saveDelayMs);
    this.saveTimer.unref();
  }

  /** Fills SQLite now, or retries when it is failing. */
  settle(): void {
    if (this.failure) this.retry();
    else this.save();
  }

  /**
   * Writes the unsaved rows (and a gap record, if rows were dropped), the alert states and the audit
   * records in one transaction. On failure nothing is written and nothing is forgotten.
   */
  save(): boolean {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = null;
    }
    const rows = this.unsaved.all();
    const alerts = this.alerts.pending();
    const audits = this.audits;
    if (rows.length === 0 && alerts.length === 0 && audits.length === 0 && !this.unsaved.lost) return true;
    const gapRow = this.gapRow();
    const saved = rows.length;
    try {
      this.store.commit(gapRow ? [...rows, gapRow] : rows, alerts, audits);
    } catch (err) {
      this.fail(err);
      return false;
    }
    this.audits = [];
    this.afterCommit(saved + audits.length + alerts.length);
    this.alerts.saved(alerts);
    this.unsaved.saved(saved, gapRow !== null);
    if (this.unsaved.length === 0) this.hooks.caughtUp();
    if (this.failure) {
      log.info('journal writes recovered', {
        written: saved,
        audits: audits.length,
        lost: gapRow ? this.unsaved.lostTotal : 0,
        auditLost: this.auditsDropped,
      });
      this.failure = null;
      this.retryDelay = this.opts.retryInitialMs;
      this.hooks.healthChanged();
    }
    if (gapRow) this.hooks.published(gapRow);
    return true;
  }

  /** Checkpoints waiting for a quiet moment: done now (tests, and before the database closes). */
  checkpointNow(): void {
    if (this.checkpointTimer) clearTimeout(this.checkpointTimer);
    this.checkpointTimer = null;
    if (this.uncheckpointed === 0) return;
    this.uncheckpointed = 0;
    try {
      this.store.checkpoint();
    } catch (err) {
      // The WAL keeps the rows (the next checkpoint takes them); only the file stays longer.
      log.warn('journal checkpoint failed', { error: String(err) });
    }
  }

  /**
   * A checkpoint stops the event loop for a few to tens of milliseconds: in a storm it waits for the
   * writes to pause (one that lasts keeps the WAL bounded by `checkpointRows`), so the clients of a
   * storm do not each wait for it every second or two.
   */
  private afterCommit(written: number): void {
    this.uncheckpointed += written;
    if (this.uncheckpointed >= this.opts.checkpointRows) {
      this.checkpointNow();
      return;
    }
    if (this.checkpointTimer) this.checkpointTimer.refresh();
    else {
      this.checkpointTimer = setTimeout(() => this.checkpointNow(), this.opts.checkpointIdleMs);
      this.checkpointTimer.unref();
    }
  }

  close(): void {
    // Closing the database checkpoints what is left.
    if (this.checkpointTimer) clearTimeout(this.checkpointTimer);
    // What a failing database still holds in memory is gone with the process: counted, and said.
    if (this.failure && this.audits.length > 0) {
      this.auditsDropped += this.audits.length;
      log.error('journal closed with audit records it could not write', {
        audits: this.audits.length,
        auditLost: this.auditsDropped,
      });
      this.audits = [];
    }
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.saveTimer) clearTimeout(this.saveTimer);
  }

  /** The record of rows dropped while SQLite failed, numbered next. */
  private gapRow(): EventRow | null {
    const gap = this.unsaved.lost;
    if (!gap) return null;
    const { seq, received } = this.hooks.nextRow();
    return {
      seq,
      vm: '',
      event: ConsoleEvent.JOURNAL_GAP,
      data: JSON.stringify({ lost: gap.count, firstSeq: gap.first, lastSeq: gap.last }),
      tsSeconds: Math.floor(received / 1000),
      tsMicro: (received % 1000) * 1000,
      received,
      source: 'console',
    };
  }

  private fail(err: unknown): void {
    const e = err as { code?: string; message?: string };
    const error = `cannot write the event journal: ${e.message ?? String(err)}${e.code ? ` (${e.code})` : ''}`;
    if (!this.failure) {
      this.failure = { error, since: this.opts.now() };
      log.error('journal writes failing; keeping events in memory and retrying', { error });
      this.hooks.healthChanged();
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

  private retry(): void {
    if (!this.failure) return;
    this.hooks.beforeRetry();
    this.save();
  }
}
