// The log's row buffer: compact rows in sequence order, fed at both ends without gaps or duplicates,
// and filtered views of it that catch up incrementally.
//
// The journal numbers every record (`seq`, strictly increasing). History arrives newest first, page by
// page, and is added below the oldest row; the live stream arrives oldest first and is added above the
// newest. A row is kept only if it extends the buffer at its end (seq below the oldest, or above the
// newest): a record replayed after a reconnect, or a page overlapping the stream, is dropped.
import type { JournalRecord } from '../../../protocol/journal.ts';
import type { JsonObject } from '../../../protocol/qmp.ts';
import { summarize } from '../qemu/events.ts';

/** One record, compactly: strings interned, data kept as JSON text, the summary made on demand. */
export interface LogRow {
  readonly seq: number;
  readonly vm: string;
  readonly event: string;
  /** QEMU's timestamp. */
  readonly sec: number;
  readonly us: number;
  /** When the console received it, epoch ms. */
  readonly rcv: number;
  /** `data` as JSON text, or null when the event has none. */
  readonly data: string | null;
  readonly console: boolean;
  /** Cached summary (see `rowSummary`). */
  s?: string;
}

const interned = new Map<string, string>();
function intern(s: string): string {
  const known = interned.get(s);
  if (known !== undefined) return known;
  if (interned.size < 10_000) interned.set(s, s);
  return s;
}

export function toRow(r: JournalRecord): LogRow {
  return {
    seq: r.seq,
    vm: intern(r.vm),
    event: intern(r.event),
    sec: r.timestamp.seconds,
    us: r.timestamp.microseconds,
    rcv: Date.parse(r.received),
    data: r.data === undefined ? null : JSON.stringify(r.data),
    console: r.source === 'console',
  };
}

/** A record as the SSE stream sends it (JSON text), or null if it is not one. */
export function parseRecord(text: string): LogRow | null {
  try {
    const r = JSON.parse(text) as JournalRecord;
    if (typeof r?.seq !== 'number' || typeof r.event !== 'string' || typeof r.vm !== 'string') return null;
    return toRow(r);
  } catch {
    return null;
  }
}

export function rowData(row: LogRow): JsonObject | undefined {
  return row.data === null ? undefined : (JSON.parse(row.data) as JsonObject);
}

export function rowSummary(row: LogRow): string {
  row.s ??= summarize(row.event, rowData(row), row.console);
  return row.s;
}

/** The record as the journal sent it, for the expanded view. */
export function rowRecord(row: LogRow): JournalRecord {
  const data = rowData(row);
  return {
    seq: row.seq,
    vm: row.vm,
    event: row.event,
    ...(data !== undefined ? { data } : {}),
    timestamp: { seconds: row.sec, microseconds: row.us },
    received: new Date(row.rcv).toISOString(),
    ...(row.console ? { source: 'console' as const } : {}),
  };
}

export class LogBuffer {
  /** Ascending by seq. Replaced (not mutated) when rows are added below or trimmed. */
  rows: LogRow[] = [];
  /** Bumped by `reset` and `trim`: views recompute from scratch. */
  generation = 0;
  /** Rows ever added below / above, since the last generation change. */
  prepended = 0;
  appended = 0;

  get oldestSeq(): number | null {
    return this.rows[0]?.seq ?? null;
  }

  get newestSeq(): number | null {
    return this.rows[this.rows.length - 1]?.seq ?? null;
  }

  get size(): number {
    return this.rows.length;
  }

  /** Live records, oldest first: keeps those newer than the newest row. Returns how many were kept. */
  append(rows: readonly LogRow[]): number {
    let newest = this.newestSeq ?? Number.NEGATIVE_INFINITY;
    let kept = 0;
    for (const r of rows) {
      if (r.seq <= newest) continue;
      this.rows.push(r);
      newest = r.seq;
      kept++;
    }
    this.appended += kept;
    return kept;
  }

  /** A history page, in any order: keeps those older than the oldest row. Returns how many were kept. */
  prepend(rows: readonly LogRow[]): number {
    const oldest = this.oldestSeq ?? Number.POSITIVE_INFINITY;
    const older = rows.filter((r) => r.seq < oldest).sort((a, b) => a.seq - b.seq);
    const unique = older.filter((r, i) => i === 0 || r.seq !== older[i - 1]!.seq);
    if (unique.length === 0) return 0;
    this.rows = this.rows.length === 0 ? unique : unique.concat(this.rows);
    this.prepended += unique.length;
    return unique.length;
  }

  /** Drops the oldest rows beyond `max`. Returns how many were dropped. */
  trim(max: number): number {
    const extra = this.rows.length - max;
    if (extra <= 0) return 0;
    this.rows = this.rows.slice(extra);
    this.newGeneration();
    return extra;
  }

  reset(): void {
    this.rows = [];
    this.newGeneration();
  }

  private newGeneration(): void {
    this.generation++;
    this.prepended = 0;
    this.appended = 0;
  }
}

/** What the browser filters over loaded rows (the journal has applied VM and time range already). */
export interface RowFilter {
  events: ReadonlySet<string>;
  /** Lower case; '' for none. */
  text: string;
  /** Received-time bounds, epoch ms: since ≤ rcv < until. */
  since: number | null;
  until: number | null;
}

export function matchesText(row: LogRow, text: string): boolean {
  if (text === '') return true;
  return (
    row.event.toLowerCase().includes(text) ||
    row.vm.toLowerCase().includes(text) ||
    row.data?.toLowerCase().includes(text) ||
    rowSummary(row).toLowerCase().includes(text)
  );
}

/**
 * The rows of a buffer that pass a filter, and how many rows of each event name pass every filter but
 * the event names (the counts beside each name). `sync` catches up with the buffer: rows added at
 * either end are filtered alone; a new generation recomputes everything.
 */
export class LogView {
  rows: LogRow[] = [];
  readonly counts = new Map<string, number>();
  /** Bumped whenever `rows` or `counts` change. */
  version = 0;
  private generation = -1;
  private prepended = 0;
  private appended = 0;

  constructor(
    private readonly buffer: LogBuffer,
    private readonly filter: RowFilter,
  ) {
    this.sync();
  }

  /** Catches up with the buffer; returns true if anything changed. */
  sync(): boolean {
    const b = this.buffer;
    if (b.generation !== this.generation) {
      this.generation = b.generation;
      this.counts.clear();
      this.rows = this.pick(b.rows);
      this.prepended = b.prepended;
      this.appended = b.appended;
      this.version++;
      return true;
    }
    const head = b.prepended - this.prepended;
    const tail = b.appended - this.appended;
    if (head === 0 && tail === 0) return false;
    if (head > 0) this.rows = this.pick(b.rows.slice(0, head)).concat(this.rows);
    if (tail > 0) {
      const added = this.pick(b.rows.slice(b.rows.length - tail));
      for (const r of added) this.rows.push(r);
    }
    this.prepended = b.prepended;
    this.appended = b.appended;
    this.version++;
    return true;
  }

  /** How many shown rows are newer than `seq`. */
  countAfter(seq: number): number {
    let lo = 0;
    let hi = this.rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.rows[mid]!.seq <= seq) lo = mid + 1;
      else hi = mid;
    }
    return this.rows.length - lo;
  }

  private pick(rows: readonly LogRow[]): LogRow[] {
    const { events, text, since, until } = this.filter;
    const out: LogRow[] = [];
    for (const r of rows) {
      if (since !== null && r.rcv < since) continue;
      if (until !== null && r.rcv >= until) continue;
      if (!matchesText(r, text)) continue;
      this.counts.set(r.event, (this.counts.get(r.event) ?? 0) + 1);
      if (events.size === 0 || events.has(r.event)) out.push(r);
    }
    return out;
  }
}
