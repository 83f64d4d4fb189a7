// Events clients have seen that SQLite does not hold yet: in the append-only log and here, until the
// next fill. Readers get them laid over the database's rows, so a page or a resuming stream has no gap.
import type { EventQuery, EventRow } from './event-row.ts';
import { rowMatches } from './event-row.ts';
import type { JournalStore } from './journal-store.ts';

/** Sequence numbers dropped from the journal (still delivered) while SQLite could not be written. */
export interface LostRange {
  count: number;
  first: number;
  last: number;
}

export class UnsavedRows {
  private rows: EventRow[] = [];
  private lostRange: LostRange | null = null;
  private lostSum = 0;

  constructor(private readonly max: number) {}

  get length(): number {
    return this.rows.length;
  }

  get first(): EventRow | undefined {
    return this.rows[0];
  }

  /** Every row dropped since the console started. */
  get lostTotal(): number {
    return this.lostSum;
  }

  get lost(): LostRange | null {
    return this.lostRange;
  }

  /**
   * Keeps the rows. While SQLite fails (`bounded`), only up to the limit: past it a row is counted as
   * lost. Otherwise the next fill takes them all.
   */
  add(rows: readonly EventRow[], bounded: boolean): void {
    for (const r of rows) {
      if (!bounded || this.rows.length < this.max) {
        this.rows.push(r);
        continue;
      }
      this.lostSum++;
      if (this.lostRange)
        this.lostRange = { ...this.lostRange, count: this.lostRange.count + 1, last: r.seq };
      else this.lostRange = { count: 1, first: r.seq, last: r.seq };
    }
  }

  /** The rows, for a commit: they stay until `saved`. */
  all(): EventRow[] {
    return this.rows;
  }

  /** The first `n` rows (and the lost range, when a gap record was written) are in SQLite now. */
  saved(n: number, gapWritten: boolean): void {
    this.rows = n >= this.rows.length ? [] : this.rows.slice(n);
    if (gapWritten) this.lostRange = null;
  }

  /** Up to `limit` rows after `after`, ascending: the database's, then these. */
  readAfter(
    store: JournalStore,
    after: number,
    filter: Pick<EventQuery, 'vm' | 'events'>,
    limit: number,
  ): EventRow[] {
    const rows = store.query({ ...filter, after, limit, order: 'asc' });
    if (rows.length < limit && this.rows.length > 0) {
      const from = rows.length > 0 ? rows[rows.length - 1]!.seq : after;
      for (const r of this.rows) {
        if (rows.length >= limit) break;
        if (r.seq > from && rowMatches(r, filter)) rows.push(r);
      }
    }
    return rows;
  }

  /** A query over the database and these rows (all newer than the database's). */
  query(store: JournalStore, q: EventQuery): EventRow[] {
    if (this.rows.length === 0) return store.query(q);
    const extra: EventRow[] = [];
    for (const r of this.rows) if (rowMatches(r, q)) extra.push(r);
    if (q.order === 'asc') {
      const rows = store.query(q);
      for (const r of extra) {
        if (rows.length >= q.limit) break;
        rows.push(r);
      }
      return rows;
    }
    // Newest first: these rows come before anything in the database.
    extra.reverse();
    if (extra.length >= q.limit) return extra.slice(0, q.limit);
    return extra.concat(store.query({ ...q, limit: q.limit - extra.length }));
  }
}
