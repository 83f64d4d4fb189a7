import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { record } from '../test-support/fake-event-source.ts';
import {
  LogBuffer,
  LogView,
  parseRecord,
  type RowFilter,
  rowRecord,
  rowSummary,
  toRow,
} from './log-buffer.ts';

const row = (seq: number, event = 'STOP', vm = 'vm1') => toRow(record({ seq, event, vm }));
const rows = (seqs: number[], event?: string) => seqs.map((s) => row(s, event));
const seqs = (b: { rows: readonly { seq: number }[] }) => b.rows.map((r) => r.seq);
const ALL: RowFilter = { events: new Set(), text: '', since: null, until: null };

describe('LogRow', () => {
  it('keeps a record compactly and gives it back as it was', () => {
    const r = record({
      seq: 7,
      event: 'BLOCK_IO_ERROR',
      data: {
        device: 'bad0',
        'node-name': '#b',
        operation: 'read',
        action: 'stop',
        reason: 'Input/output error',
      },
    });
    const parsed = parseRecord(JSON.stringify(r));
    expect(parsed?.data).toBe(JSON.stringify(r.data));
    expect(rowRecord(parsed!)).toEqual(r);
    expect(rowSummary(parsed!)).toBe('bad0 (node #b): read failed (Input/output error), VM stopped');
    const c = record({ seq: 8, event: 'CONSOLE_CONNECTED', source: 'console', data: { version: null } });
    expect(rowRecord(parseRecord(JSON.stringify(c))!)).toEqual(c);
    expect(parseRecord('not json')).toBeNull();
    expect(parseRecord('{"event":"X"}')).toBeNull();
  });

  it('shares the strings of repeated names', () => {
    const a = parseRecord(JSON.stringify(record({ seq: 1, event: 'BLOCK_IO_ERROR' })))!;
    const b = parseRecord(JSON.stringify(record({ seq: 2, event: 'BLOCK_IO_ERROR' })))!;
    expect(Object.is(a.event, b.event)).toBe(true);
  });
});

describe('LogBuffer', () => {
  it('adds live rows above and history below, dropping anything it already has', () => {
    const b = new LogBuffer();
    expect(b.append(rows([11, 12, 13]))).toBe(3);
    // A replay after a reconnect overlaps what arrived already.
    expect(b.append(rows([12, 13, 14, 15]))).toBe(2);
    // History newest first, overlapping the live rows.
    expect(b.prepend(rows([11, 10, 9, 8]))).toBe(3);
    expect(b.prepend(rows([9, 8, 7, 6, 6]))).toBe(2);
    expect(seqs(b)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(b.oldestSeq).toBe(6);
    expect(b.newestSeq).toBe(15);
  });

  it('never holds a duplicate or an out-of-order row, whatever arrives in whatever order', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            live: fc.boolean(),
            seqs: fc.array(fc.integer({ min: 1, max: 200 }), { maxLength: 20 }),
          }),
        ),
        (batches) => {
          const b = new LogBuffer();
          for (const batch of batches) {
            if (batch.live) b.append(rows([...batch.seqs].sort((x, y) => x - y)));
            else b.prepend(rows(batch.seqs));
          }
          const s = seqs(b);
          for (let i = 1; i < s.length; i++) expect(s[i]!).toBeGreaterThan(s[i - 1]!);
        },
      ),
    );
  });

  it('trims the oldest rows and starts a new generation', () => {
    const b = new LogBuffer();
    b.append(rows([1, 2, 3, 4, 5]));
    const g = b.generation;
    expect(b.trim(3)).toBe(2);
    expect(seqs(b)).toEqual([3, 4, 5]);
    expect(b.generation).toBe(g + 1);
    expect(b.trim(3)).toBe(0);
  });
});

describe('LogView', () => {
  it('filters by event name and counts every name under the other filters', () => {
    const b = new LogBuffer();
    b.append(
      [...rows([1, 4], 'BLOCK_IO_ERROR'), ...rows([2, 5], 'STOP'), row(3, 'RESUME')].sort(
        (x, y) => x.seq - y.seq,
      ),
    );
    const v = new LogView(b, { ...ALL, events: new Set(['BLOCK_IO_ERROR']) });
    expect(seqs(v)).toEqual([1, 4]);
    expect(Object.fromEntries(v.counts)).toEqual({ BLOCK_IO_ERROR: 2, STOP: 2, RESUME: 1 });
  });

  it('catches up with rows added at either end without starting over', () => {
    const b = new LogBuffer();
    b.append(rows([10, 11], 'STOP'));
    const v = new LogView(b, { ...ALL, events: new Set(['STOP']) });
    const version = v.version;
    expect(v.sync()).toBe(false);
    b.append([row(12, 'RESUME'), row(13, 'STOP')]);
    b.prepend([row(9, 'STOP'), row(8, 'RESUME')]);
    expect(v.sync()).toBe(true);
    expect(v.version).toBe(version + 1);
    expect(seqs(v)).toEqual([9, 10, 11, 13]);
    expect(Object.fromEntries(v.counts)).toEqual({ STOP: 4, RESUME: 2 });
    b.reset();
    b.append(rows([1]));
    v.sync();
    expect(seqs(v)).toEqual([1]);
    expect(Object.fromEntries(v.counts)).toEqual({ STOP: 1 });
  });

  it('matches free text in names, VMs, data and summaries, ignoring case', () => {
    const b = new LogBuffer();
    b.append([
      toRow(
        record({
          seq: 1,
          event: 'BLOCK_IO_ERROR',
          data: {
            device: 'disk0',
            operation: 'write',
            nospace: true,
            action: 'stop',
            reason: 'No space left on device',
          },
        }),
      ),
      toRow(record({ seq: 2, event: 'STOP', vm: 'db' })),
      toRow(record({ seq: 3, event: 'RESUME' })),
    ]);
    const text = (t: string) => seqs(new LogView(b, { ...ALL, text: t }));
    expect(text('disk full')).toEqual([1]);
    expect(text('disk0')).toEqual([1]);
    expect(text('db')).toEqual([2]);
    expect(text('resume')).toEqual([3]);
    expect(text('vm paused')).toEqual([2]);
  });

  it('keeps to a received-time range', () => {
    const b = new LogBuffer();
    b.append(rows([1, 2, 3, 4]));
    const t = (seq: number) => (1_790_000_000 + seq) * 1000;
    expect(seqs(new LogView(b, { ...ALL, since: t(2), until: t(4) }))).toEqual([2, 3]);
  });

  it('counts the rows newer than where the person left', () => {
    const b = new LogBuffer();
    b.append(rows([1, 3, 5, 7, 9]));
    const v = new LogView(b, ALL);
    expect(v.countAfter(5)).toBe(2);
    expect(v.countAfter(6)).toBe(2);
    expect(v.countAfter(0)).toBe(5);
    expect(v.countAfter(9)).toBe(0);
  });

  it('filters 100,000 rows', () => {
    const b = new LogBuffer();
    const many = [];
    for (let i = 1; i <= 100_000; i++)
      many.push(row(i, i % 3 === 0 ? 'BLOCK_IO_ERROR' : i % 3 === 1 ? 'STOP' : 'RESUME'));
    b.append(many);
    const v = new LogView(b, { ...ALL, events: new Set(['BLOCK_IO_ERROR']) });
    expect(v.rows).toHaveLength(33_333);
    expect(v.rows.every((r) => r.event === 'BLOCK_IO_ERROR')).toBe(true);
  });
});
