import { mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Alert } from './alert-book.ts';
import {
  AUDIT_PRUNE_BY_AGE,
  AUDIT_PRUNE_BY_COUNT,
  type EventRow,
  JournalOpenError,
  JournalStore,
} from './journal-store.ts';

let dir: string;
let store: JournalStore | null = null;
const file = () => path.join(dir, 'journal.sqlite');

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'journal-store-'));
});
afterEach(() => {
  store?.close();
  store = null;
  rmSync(dir, { recursive: true, force: true });
});

const T0 = Date.UTC(2026, 0, 1);

function row(seq: number, over: Partial<EventRow> = {}): EventRow {
  return {
    seq,
    vm: seq % 2 ? 'a' : 'b',
    event: ['STOP', 'RESUME', 'BLOCK_IO_ERROR'][seq % 3]!,
    data: seq % 3 === 2 ? '{"device":"bad0","operation":"read"}' : null,
    tsSeconds: 1000 + seq,
    tsMicro: seq,
    received: T0 + seq * 1000,
    source: 'qemu',
    ...over,
  };
}

function fill(s: JournalStore, n: number, from = 1): EventRow[] {
  const rows = Array.from({ length: n }, (_, i) => row(from + i));
  s.commit(rows);
  return rows;
}

describe('opening', () => {
  it('creates a WAL database with the schema and starts at seq 0', () => {
    store = JournalStore.open(file());
    expect(store.lastSeq).toBe(0);
    expect(store.firstSeq()).toBe(0);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('synchronous', { simple: true })).toBe(1);
    const indexes = store.db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events'")
      .all() as { name: string }[];
    expect(indexes.map((i) => i.name).sort()).toEqual(['events_event_seq', 'events_vm_seq']);
  });

  it('keeps events and the sequence across reopen', () => {
    store = JournalStore.open(file());
    fill(store, 10);
    store.close();
    store = JournalStore.open(file());
    expect(store.lastSeq).toBe(10);
    expect(store.query({ limit: 100, order: 'asc' }).map((r) => r.seq)).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
  });

  it('a file that is not a database: a clear error naming the file', () => {
    writeFileSync(file(), 'this is not an SQLite database, just some text that is long enough'.repeat(100));
    expect(() => JournalStore.open(file())).toThrow(JournalOpenError);
    expect(() => JournalStore.open(file())).toThrow(
      /journal\.sqlite: is not an SQLite database.*move the file aside/,
    );
  });

  it('a corrupt database (damaged pages): refuses to start', () => {
    store = JournalStore.open(file());
    fill(store, 5000);
    store.db.pragma('wal_checkpoint(TRUNCATE)');
    store.close();
    store = null;
    // Overwrite pages in the middle of the file (b-tree pages of the events table and indexes).
    const fd = openSync(file(), 'r+');
    writeSync(fd, Buffer.alloc(4096 * 4, 0xa5), 0, 4096 * 4, 4096 * 6);
    expect(() => JournalStore.open(file())).toThrow(/journal\.sqlite: (is corrupt|is not an SQLite)/);
  });

  it('a directory in place of the file, or a missing parent: a clear error', () => {
    expect(() => JournalStore.open(dir)).toThrow(/is a directory/);
    expect(() => JournalStore.open(path.join(dir, 'no', 'such', 'x.sqlite'))).toThrow(
      /x\.sqlite: cannot open/,
    );
  });

  it('another program’s SQLite database is not taken over', () => {
    store = JournalStore.open(file());
    store.close();
    const other = path.join(dir, 'other.sqlite');
    // biome-ignore lint/suspicious/noExplicitAny: a foreign database made with the raw driver
    const Db = store.db.constructor as any as new (f: string) => { exec(s: string): void; close(): void };
    const d = new Db(other);
    d.exec('CREATE TABLE t (x)');
    d.close();
    store = null;
    expect(() => JournalStore.open(other)).toThrow(/some other program/);
  });

  it('one console per journal: a second open fails while the first holds it', () => {
    store = JournalStore.open(file());
    expect(() => JournalStore.open(file())).toThrow(/in use by another QMP Console/);
  });
});

describe('append and query', () => {
  beforeEach(() => {
    store = JournalStore.open(file());
  });

  it('filters by received time through seq bounds, across gaps and equal times', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.integer({ min: 1, max: 3 }), step: fc.integer({ min: 0, max: 2 }) }), {
          minLength: 1,
          maxLength: 40,
        }),
        fc.integer({ min: -2, max: 90 }),
        (steps, probe) => {
          store?.close();
          rmSync(file(), { force: true });
          // Opened 200 times: the integrity check of a new, empty file proves nothing here.
          store = JournalStore.open(file(), { check: false });
          let seq = 0;
          let received = T0;
          const rows = steps.map(({ gap, step }) => {
            seq += gap;
            received += step;
            return row(seq, { received });
          });
          store.commit(rows);
          const time = T0 + probe;
          const since = store.query({ limit: 1000, order: 'asc', since: time }).map((r) => r.seq);
          expect(since).toEqual(rows.filter((r) => r.received >= time).map((r) => r.seq));
          const until = store.query({ limit: 1000, order: 'asc', until: time }).map((r) => r.seq);
          expect(until).toEqual(rows.filter((r) => r.received < time).map((r) => r.seq));
        },
      ),
      { numRuns: 200 },
    );
    // 200 databases created and filled: CPU-bound, and slow on a machine shared with other work.
  }, 60_000);

  it('returns records newest first by default shape, with filters', () => {
    fill(store!, 30);
    const s = store!;
    expect(s.query({ limit: 3, order: 'desc' }).map((r) => r.seq)).toEqual([30, 29, 28]);
    expect(s.query({ limit: 3, order: 'asc' }).map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(s.query({ limit: 100, order: 'asc', vm: 'a' }).every((r) => r.vm === 'a')).toBe(true);
    expect(s.query({ limit: 100, order: 'asc', after: 10, before: 14 }).map((r) => r.seq)).toEqual([
      11, 12, 13,
    ]);
    expect(
      s.query({ limit: 100, order: 'asc', since: T0 + 5000, until: T0 + 8000 }).map((r) => r.seq),
    ).toEqual([5, 6, 7]);
    expect(
      s.query({ limit: 100, order: 'desc', events: ['STOP', 'RESUME'], after: 20 }).map((r) => r.seq),
    ).toEqual([30, 28, 27, 25, 24, 22, 21]);
    const first = s.query({ limit: 1, order: 'asc' })[0]!;
    expect(first).toEqual(row(1));
  });

  it('keyset paging visits every record once, in either order, under any filter (property)', () => {
    const s = store!;
    fill(s, 200);
    fc.assert(
      fc.property(
        fc.record({
          limit: fc.integer({ min: 1, max: 50 }),
          order: fc.constantFrom('asc' as const, 'desc' as const),
          vm: fc.option(fc.constantFrom('a', 'b'), { nil: undefined }),
          events: fc.option(fc.subarray(['STOP', 'RESUME', 'BLOCK_IO_ERROR']), { nil: undefined }),
          after: fc.option(fc.integer({ min: 0, max: 210 }), { nil: undefined }),
          before: fc.option(fc.integer({ min: 0, max: 210 }), { nil: undefined }),
        }),
        (q) => {
          const all = s.query({ ...q, limit: 1000 }).map((r) => r.seq);
          const paged: number[] = [];
          let cursor: number | undefined;
          for (;;) {
            const page = s.query({
              ...q,
              ...(cursor === undefined
                ? {}
                : q.order === 'asc'
                  ? { after: Math.max(cursor, q.after ?? 0) }
                  : { before: Math.min(cursor, q.before ?? Infinity) }),
            });
            paged.push(...page.map((r) => r.seq));
            if (page.length < q.limit) break;
            cursor = page[page.length - 1]!.seq;
          }
          expect(paged).toEqual(all);
          const sorted = [...all].sort((x, y) => (q.order === 'asc' ? x - y : y - x));
          expect(all).toEqual(sorted);
        },
      ),
    );
  });

  it('a failed transaction writes nothing', () => {
    const s = store!;
    fill(s, 3);
    expect(() => s.commit([row(4), row(4)])).toThrow(/UNIQUE|PRIMARY/);
    expect(s.lastSeq).toBe(3);
    expect(s.query({ limit: 10, order: 'asc' }).map((r) => r.seq)).toEqual([1, 2, 3]);
  });

  it('disk full (SQLITE_FULL) fails the commit and recovers once there is room', () => {
    const s = store!;
    fill(s, 10);
    const pages = s.db.pragma('page_count', { simple: true }) as number;
    s.db.pragma(`max_page_count = ${pages}`);
    const big = Array.from({ length: 2000 }, (_, i) =>
      row(11 + i, { data: JSON.stringify({ pad: 'x'.repeat(200) }) }),
    );
    let error: unknown;
    try {
      s.commit(big);
    } catch (err) {
      error = err;
    }
    expect((error as { code?: string }).code).toBe('SQLITE_FULL');
    expect(s.lastSeq).toBe(10);
    s.db.pragma('max_page_count = 1073741823');
    s.commit(big);
    expect(s.lastSeq).toBe(2010);
  });

  it('stores alerts by id (upsert) and audit records with argument names', () => {
    const s = store!;
    const alert: Alert = {
      id: 1,
      vm: 'a',
      event: 'BLOCK_IO_ERROR',
      device: 'bad0',
      node: '#block123',
      operation: 'read',
      action: 'stop',
      reason: 'Input/output error',
      nospace: false,
      count: 1,
      first: T0,
      last: T0,
      firstSeq: 1,
      lastSeq: 1,
      state: 'open',
      acknowledgedBy: null,
      acknowledgedAt: null,
    };
    s.commit(
      [row(1)],
      [alert],
      [
        {
          at: T0,
          vm: 'a',
          command: 'cont',
          argumentNames: [],
          outcome: 'ok',
          errorClass: null,
          role: 'operator',
          count: 1,
          remote: '127.0.0.1:1',
        },
      ],
    );
    s.commit([], [{ ...alert, count: 7, lastSeq: 9 }]);
    expect(s.openAlerts()).toEqual([{ ...alert, count: 7, lastSeq: 9 }]);
    expect(s.maxAlertId()).toBe(1);
    s.commit([], [{ ...alert, state: 'acknowledged', acknowledgedBy: 'op', acknowledgedAt: T0 + 1 }]);
    expect(s.openAlerts()).toEqual([]);
    expect(s.alerts({ state: 'acknowledged', limit: 10 })[0]).toMatchObject({ acknowledgedBy: 'op' });
    expect(s.audit(10)).toEqual([
      expect.objectContaining({ command: 'cont', argumentNames: [], outcome: 'ok' }),
    ]);
  });
});

describe('retention', () => {
  beforeEach(() => {
    store = JournalStore.open(file());
  });

  it('max events: deletes the oldest in batches, keeps the sequence going', () => {
    const s = store!;
    fill(s, 100);
    const policy = { maxEvents: 30, maxAgeMs: null };
    expect(s.prune(policy, T0, 25)).toBe(25);
    expect(s.firstSeq()).toBe(26);
    expect(s.prune(policy, T0, 25)).toBe(25);
    expect(s.prune(policy, T0, 25)).toBe(20);
    expect(s.prune(policy, T0, 25)).toBe(0);
    expect(s.firstSeq()).toBe(71);
    expect(s.lastSeq).toBe(100);
  });

  it('max age: deletes what was received before now - age', () => {
    const s = store!;
    fill(s, 100);
    const policy = { maxEvents: 1_000_000, maxAgeMs: 10_000 };
    // Received T0 + seq s; now = T0 + 60 s: older than T0 + 50 s goes, i.e. seq < 50.
    while (s.prune(policy, T0 + 60_000, 7) === 7);
    expect(s.firstSeq()).toBe(50);
  });

  it('when every event is pruned, the next seq still follows the last one', () => {
    const s = store!;
    fill(s, 10);
    while (s.prune({ maxEvents: 1_000_000, maxAgeMs: 1 }, T0 + 1e9, 100) === 100);
    expect(s.firstSeq()).toBe(0);
    s.close();
    store = JournalStore.open(file());
    expect(store.lastSeq).toBe(10);
  });

  const auditRecord = (at: number) => ({
    at,
    vm: 'a',
    command: 'query-status',
    argumentNames: [],
    outcome: 'ok' as const,
    errorClass: null,
    role: 'operator' as const,
    count: 1,
    remote: '127.0.0.1:1',
  });

  it('audit records: the oldest past maxRecords go, in batches, and the events stay', () => {
    const s = store!;
    fill(s, 10);
    s.commit(
      [],
      [],
      Array.from({ length: 100 }, (_, i) => auditRecord(T0 + i)),
    );
    const audit = { maxRecords: 30, maxAgeMs: null };
    const events = { maxEvents: 1_000_000, maxAgeMs: null };
    expect(s.prune(events, T0, 50, audit)).toBe(50);
    expect(s.prune(events, T0, 50, audit)).toBe(20);
    expect(s.prune(events, T0, 50, audit)).toBe(0);
    expect(s.audit(1000).map((r) => r.at)).toEqual(Array.from({ length: 30 }, (_, i) => T0 + 99 - i));
    expect(s.firstSeq()).toBe(1);
  });

  it('audit records: those older than maxAgeMs go, in batches', () => {
    const s = store!;
    s.commit(
      [],
      [],
      Array.from({ length: 100 }, (_, i) => auditRecord(T0 + i * 1000)),
    );
    const audit = { maxRecords: 1_000_000, maxAgeMs: 10_000 };
    // now = T0 + 60 s: older than T0 + 50 s goes, i.e. the first 50.
    while (s.prune({ maxEvents: 1_000_000, maxAgeMs: null }, T0 + 60_000, 7, audit) === 7);
    expect(s.audit(1000).at(-1)?.at).toBe(T0 + 50_000);
    expect(s.audit(1000)).toHaveLength(50);
  });

  it('audit retention searches what it deletes: it never scans the trail (it runs every second)', () => {
    const plan = (sql: string, ...args: number[]) =>
      (store!.db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map(
        (r) => r.detail,
      );
    for (const steps of [plan(AUDIT_PRUNE_BY_COUNT, 1000, 10), plan(AUDIT_PRUNE_BY_AGE, T0, 10)]) {
      expect(steps.some((d) => /^SEARCH audit USING (INTEGER PRIMARY KEY|.*INDEX audit_at)/.test(d))).toBe(
        true,
      );
      expect(steps.filter((d) => /^SCAN audit\b/.test(d))).toEqual([]);
    }
  });

  it('never deletes open alerts; deletes acknowledged ones whose events are gone', () => {
    const s = store!;
    fill(s, 100);
    const base = {
      vm: 'a',
      event: 'BLOCK_IO_ERROR' as const,
      device: 'bad0',
      node: null,
      operation: 'read',
      action: 'stop',
      reason: 'x',
      nospace: null,
      count: 1,
      first: T0,
      last: T0,
      firstSeq: 2,
      lastSeq: 2,
      acknowledgedBy: null,
      acknowledgedAt: null,
    };
    s.commit(
      [],
      [
        { ...base, id: 1, state: 'open' },
        { ...base, id: 2, state: 'acknowledged', acknowledgedBy: 'x', acknowledgedAt: T0 },
        { ...base, id: 3, state: 'acknowledged', lastSeq: 95, acknowledgedBy: 'x', acknowledgedAt: T0 },
      ],
    );
    while (s.prune({ maxEvents: 10, maxAgeMs: 1000 }, T0 + 1e9, 1000) === 1000);
    expect(s.alerts({ limit: 10 }).map((a) => a.id)).toEqual([1]);
  });
});
