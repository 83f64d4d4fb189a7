// The event journal on disk: one SQLite file (WAL) with the events, the alerts and the command audit.
import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { AlertState } from '../../protocol/journal.ts';
import type { Alert } from './alert-book.ts';
import type {
  AlertQuery,
  AuditRetentionPolicy,
  AuditRow,
  EventQuery,
  EventRow,
  RetentionPolicy,
} from './event-row.ts';
import { type JournalStoreOptions, openJournalDatabase } from './journal-database.ts';

export type {
  AlertQuery,
  AuditRetentionPolicy,
  AuditRow,
  EventQuery,
  EventRow,
  RetentionPolicy,
} from './event-row.ts';
export { JournalOpenError, type JournalStoreOptions } from './journal-database.ts';

/** Enough for every fixed query and the filter shapes in use; a statement dropped is prepared again. */
export const MAX_CACHED_STATEMENTS = 64;

const eventColumns = 'seq, vm, event, data, ts_seconds, ts_micro, received, source';

interface DbEventRow {
  seq: number;
  vm: string;
  event: string;
  data: string | null;
  ts_seconds: number;
  ts_micro: number;
  received: number;
  source: 'qemu' | 'console';
}

interface DbAlertRow {
  id: number;
  vm: string;
  event: Alert['event'];
  device: string | null;
  node: string | null;
  operation: string | null;
  action: string | null;
  reason: string | null;
  nospace: number | null;
  count: number;
  first: number;
  last: number;
  first_seq: number;
  last_seq: number;
  state: AlertState;
  acknowledged_by: string | null;
  acknowledged_at: number | null;
}

const fromDbEvent = (r: DbEventRow): EventRow => ({
  seq: r.seq,
  vm: r.vm,
  event: r.event,
  data: r.data,
  tsSeconds: r.ts_seconds,
  tsMicro: r.ts_micro,
  received: r.received,
  source: r.source,
});

const fromDbAlert = (r: DbAlertRow): Alert => ({
  id: r.id,
  vm: r.vm,
  event: r.event,
  device: r.device,
  node: r.node,
  operation: r.operation,
  action: r.action,
  reason: r.reason,
  nospace: r.nospace === null ? null : r.nospace !== 0,
  count: r.count,
  first: r.first,
  last: r.last,
  firstSeq: r.first_seq,
  lastSeq: r.last_seq,
  state: r.state,
  acknowledgedBy: r.acknowledged_by,
  acknowledgedAt: r.acknowledged_at,
});

/** The oldest audit records past `maxRecords`, at most `?` of them: a search on the primary key. */
export const AUDIT_PRUNE_BY_COUNT = `DELETE FROM audit WHERE id IN (SELECT id FROM audit
  WHERE id <= (SELECT max(id) FROM audit) - ? ORDER BY id LIMIT ?)`;
/** Audit records older than `?` (epoch ms), at most `?` of them: a search on the `audit_at` index. */
export const AUDIT_PRUNE_BY_AGE = `DELETE FROM audit WHERE id IN (SELECT id FROM audit
  WHERE at < ? ORDER BY at LIMIT ?)`;

export class JournalStore {
  private readonly insertEvent: Database.Statement;
  private readonly upsertAlert: Database.Statement;
  private readonly insertAudit: Database.Statement;
  private readonly setMeta: Database.Statement;
  private readonly firstSeqStmt: Database.Statement<[], { s: number | null }>;
  private readonly rowAtOrAfter: Database.Statement<[number], { seq: number; received: number }>;
  private readonly alertById: Database.Statement<[number], DbAlertRow>;
  private readonly queries = new Map<string, Database.Statement>();
  private readonly commitTx: (events: EventRow[], alerts: Alert[], audits: AuditRow[]) => void;
  private committedSeq: number;

  private constructor(
    readonly db: Database.Database,
    readonly file: string,
  ) {
    this.insertEvent = db.prepare(`INSERT INTO events (${eventColumns}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.upsertAlert = db.prepare(
      `INSERT OR REPLACE INTO alerts (id, vm, event, device, node, operation, action, reason, nospace, count,
         first, last, first_seq, last_seq, state, acknowledged_by, acknowledged_at)
       VALUES (@id, @vm, @event, @device, @node, @operation, @action, @reason, @nospace, @count,
         @first, @last, @firstSeq, @lastSeq, @state, @acknowledgedBy, @acknowledgedAt)`,
    );
    this.insertAudit = db.prepare(
      `INSERT INTO audit (at, vm, command, argument_names, outcome, error_class, role, remote, count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.setMeta = db.prepare(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    this.firstSeqStmt = db.prepare('SELECT min(seq) AS s FROM events');
    this.rowAtOrAfter = db.prepare('SELECT seq, received FROM events WHERE seq >= ? ORDER BY seq LIMIT 1');
    this.alertById = db.prepare('SELECT * FROM alerts WHERE id = ?');
    const metaLast = (
      db.prepare("SELECT value FROM meta WHERE key = 'last_seq'").get() as { value: number } | undefined
    )?.value;
    const maxSeq = (db.prepare('SELECT max(seq) AS s FROM events').get() as { s: number | null }).s;
    this.committedSeq = Math.max(metaLast ?? 0, maxSeq ?? 0);

    this.commitTx = db.transaction((events: EventRow[], alerts: Alert[], audits: AuditRow[]) => {
      // Positional parameters: binding by name costs a lookup per column per row.
      for (const e of events)
        this.insertEvent.run(e.seq, e.vm, e.event, e.data, e.tsSeconds, e.tsMicro, e.received, e.source);
      for (const a of alerts)
        this.upsertAlert.run({ ...a, nospace: a.nospace === null ? null : a.nospace ? 1 : 0 });
      for (const a of audits)
        this.insertAudit.run(
          a.at,
          a.vm,
          a.command,
          JSON.stringify(a.argumentNames),
          a.outcome,
          a.errorClass,
          a.role,
          a.remote,
          a.count,
        );
      const last = events.length > 0 ? events[events.length - 1]!.seq : 0;
      if (last > this.committedSeq) this.setMeta.run('last_seq', last);
    });
  }

  /**
   * Opens (creating if needed) the journal. Throws JournalOpenError with a message naming the file and
   * what is wrong: not writable, not a database, corrupt, another console using it, a newer schema.
   */
  static open(file: string, options: JournalStoreOptions = {}): JournalStore {
    return new JournalStore(openJournalDatabase(file, options), file);
  }

  /** The newest sequence number ever committed (kept even when pruning removes every event). */
  get lastSeq(): number {
    return this.committedSeq;
  }

  /** When the newest stored event was received (epoch ms), 0 when there are none. */
  lastReceived(): number {
    const row = this.statement('SELECT received FROM events ORDER BY seq DESC LIMIT 1').get() as
      | { received: number }
      | undefined;
    return row?.received ?? 0;
  }

  /**
   * The first stored seq received at or after `time`, or lastSeq + 1 when none is. Received times
   * never decrease along seq, so this is a binary search over the primary key (gaps allowed).
   */
  seqReceivedFrom(time: number): number {
    let lo = this.firstSeq();
    let hi = this.committedSeq + 1;
    if (lo === 0) return hi;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const row = this.rowAtOrAfter.get(mid);
      if (!row) hi = mid;
      else if (row.received >= time) hi = Math.min(mid, row.seq);
      else lo = row.seq + 1;
    }
    return lo;
  }

  /** Oldest sequence number kept, 0 when there are no events. */
  firstSeq(): number {
    return this.firstSeqStmt.get()?.s ?? 0;
  }

  /** Writes events, alert states and audit records in one transaction; throws (and writes nothing) on failure. */
  commit(events: EventRow[], alerts: Alert[] = [], audits: AuditRow[] = []): void {
    if (events.length === 0 && alerts.length === 0 && audits.length === 0) return;
    this.commitTx(events, alerts, audits);
    const last = events.length > 0 ? events[events.length - 1]!.seq : 0;
    if (last > this.committedSeq) this.committedSeq = last;
  }

  query(q: EventQuery): EventRow[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.vm !== undefined) {
      where.push('vm = ?');
      params.push(q.vm);
    }
    if (q.after !== undefined) {
      where.push('seq > ?');
      params.push(q.after);
    }
    if (q.before !== undefined) {
      where.push('seq < ?');
      params.push(q.before);
    }
    if (q.since !== undefined) {
      where.push('seq >= ?');
      params.push(this.seqReceivedFrom(q.since));
    }
    if (q.until !== undefined) {
      where.push('seq < ?');
      params.push(this.seqReceivedFrom(q.until));
    }
    if (q.events && q.events.length > 0) {
      where.push(`event IN (${q.events.map(() => '?').join(', ')})`);
      params.push(...q.events);
    }
    params.push(q.limit);
    const sql = `SELECT ${eventColumns} FROM events${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY seq ${q.order === 'asc' ? 'ASC' : 'DESC'} LIMIT ?`;
    return (this.statement(sql).all(...params) as DbEventRow[]).map(fromDbEvent);
  }

  /** Open alerts as stored (the AlertBook starts from these). */
  openAlerts(): Alert[] {
    const rows = this.statement(
      "SELECT * FROM alerts WHERE state = 'open' ORDER BY id",
    ).all() as DbAlertRow[];
    return rows.map(fromDbAlert);
  }

  maxAlertId(): number {
    return (this.statement('SELECT max(id) AS m FROM alerts').get() as { m: number | null }).m ?? 0;
  }

  alert(id: number): Alert | null {
    const row = this.alertById.get(id);
    return row ? fromDbAlert(row) : null;
  }

  /** Alerts, most recently active first. */
  alerts(q: AlertQuery): Alert[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (q.state) {
      where.push('state = ?');
      params.push(q.state);
    }
    if (q.vm !== undefined) {
      where.push('vm = ?');
      params.push(q.vm);
    }
    params.push(q.limit);
    const sql = `SELECT * FROM alerts${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY last DESC, id DESC LIMIT ?`;
    return (this.statement(sql).all(...params) as DbAlertRow[]).map(fromDbAlert);
  }

  /** Newest audit records first; one VM's when `vm` is given. */
  audit(limit: number, beforeId?: number, vm?: string): (AuditRow & { id: number })[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (beforeId !== undefined) {
      where.push('id < ?');
      params.push(beforeId);
    }
    if (vm !== undefined) {
      where.push('vm = ?');
      params.push(vm);
    }
    params.push(limit);
    const rows = this.statement(
      `SELECT * FROM audit${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`,
    ).all(...params) as {
      id: number;
      at: number;
      vm: string;
      command: string;
      argument_names: string;
      outcome: string;
      error_class: string | null;
      role: string;
      remote: string;
      count: number;
    }[];
    return rows.map((r) => ({
      id: r.id,
      at: r.at,
      vm: r.vm,
      command: r.command,
      argumentNames: JSON.parse(r.argument_names) as string[],
      outcome: r.outcome,
      errorClass: r.error_class,
      role: r.role,
      remote: r.remote,
      count: r.count,
    }));
  }

  /**
   * One small step of retention: deletes at most `batch` of the oldest events past the policy, the
   * acknowledged alerts whose events are gone (or older than the age limit), and at most `batch` audit
   * records past the audit trail's own policy. Open alerts are never deleted. Returns the larger of the
   * events and the audit records deleted (`batch` means: call again).
   */
  prune(
    policy: RetentionPolicy,
    now: number,
    batch: number,
    audit: AuditRetentionPolicy = { maxRecords: policy.maxEvents, maxAgeMs: policy.maxAgeMs },
  ): number {
    const first = this.firstSeq();
    let deleted = 0;
    if (first > 0) {
      let bound = this.committedSeq - policy.maxEvents;
      if (policy.maxAgeMs !== null) {
        bound = Math.max(bound, this.seqReceivedFrom(now - policy.maxAgeMs) - 1);
      }
      bound = Math.min(bound, first + batch - 1);
      if (bound >= first) deleted = this.statement('DELETE FROM events WHERE seq <= ?').run(bound).changes;
    }
    const kept = this.firstSeq() || this.committedSeq + 1;
    this.statement(
      `DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE state = 'acknowledged'
         AND (last_seq < ? OR last < ?) LIMIT ?)`,
    ).run(kept, policy.maxAgeMs === null ? 0 : now - policy.maxAgeMs, batch);
    // Two statements, each a range search (ids, or `at` through its index): `id <= ? OR at < ?` in one
    // made SQLite scan the whole trail every second (17 ms at 300,000 records, on the event loop).
    let audits = this.statement(AUDIT_PRUNE_BY_COUNT).run(audit.maxRecords, batch).changes;
    if (audit.maxAgeMs !== null && audits < batch)
      audits += this.statement(AUDIT_PRUNE_BY_AGE).run(now - audit.maxAgeMs, batch - audits).changes;
    return Math.max(deleted, audits);
  }

  /**
   * Copies what the WAL holds into the database file (two fsyncs), so the WAL starts again from its
   * beginning at the next commit. A few to tens of milliseconds: the caller picks the moment.
   */
  checkpoint(): void {
    this.db.pragma('wal_checkpoint(PASSIVE)');
  }

  /** Bytes the journal takes on disk (database and WAL). */
  sizeOnDisk(): number {
    let n = 0;
    for (const f of [this.file, `${this.file}-wal`]) n += statSync(f, { throwIfNoEntry: false })?.size ?? 0;
    return n;
  }

  close(): void {
    if (!this.db.open) return;
    try {
      this.db.pragma('optimize');
    } catch {}
    this.db.close();
  }

  /** Prepared statements held for reuse: at most MAX_CACHED_STATEMENTS. */
  get cachedStatements(): number {
    return this.queries.size;
  }

  /**
   * A prepared statement for `sql`, kept for reuse, least recently used dropped first. Queries are
   * built from a reader's filters (which bounds, how many event names): unbounded, every combination
   * a client tried would stay prepared (about 14 KiB each; 6,400 of them held 90 MiB).
   */
  private statement(sql: string): Database.Statement {
    let s = this.queries.get(sql);
    if (s) {
      this.queries.delete(sql);
    } else {
      s = this.db.prepare(sql);
      if (this.queries.size >= MAX_CACHED_STATEMENTS) this.queries.delete(this.queries.keys().next().value!);
    }
    this.queries.set(sql, s);
    return s;
  }
}
