import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JournalPage, JournalRecord } from '../../../protocol/journal.ts';
import { fakeEventSources, record } from '../test-support/fake-event-source.ts';
import { type HistoryQuery, historyUrl, LogStream, type LogStreamOptions } from './log-stream.ts';

/** A journal of records 1..head for the history API, as the proxy answers it. */
function fakeJournal(records: JournalRecord[]) {
  const calls: HistoryQuery[] = [];
  const fetchPage = vi.fn(async (q: HistoryQuery): Promise<JournalPage> => {
    calls.push(q);
    const matching = records
      .filter((r) => (q.before === null || r.seq < q.before) && (q.vm === null || r.vm === q.vm))
      .sort((a, b) => b.seq - a.seq);
    const page = matching.slice(0, q.limit);
    return { events: page, next: matching.length > q.limit ? page[page.length - 1]!.seq : null };
  });
  return { fetchPage, calls };
}

const range = (from: number, to: number, event = 'STOP') => {
  const out: JournalRecord[] = [];
  for (let s = from; s <= to; s++) out.push(record({ seq: s, event }));
  return out;
};

let frames: (() => void)[];
const schedule = (fn: () => void) => {
  frames.push(fn);
  return () => {
    frames = frames.filter((f) => f !== fn);
  };
};
const runFrames = () => {
  while (frames.length > 0) frames.shift()!();
};
const flushPromises = () => new Promise<void>((r) => setTimeout(r, 0));

let sources: ReturnType<typeof fakeEventSources>;
beforeEach(() => {
  frames = [];
  sources = fakeEventSources();
});
afterEach(() => {
  vi.useRealTimers();
});

function start(journal: ReturnType<typeof fakeJournal>, extra: Partial<LogStreamOptions> = {}) {
  const s = new LogStream({
    vm: 'vm1',
    since: null,
    until: null,
    fetchPage: journal.fetchPage,
    createEventSource: sources.create,
    schedule,
    pageSize: 100,
    minNotifyMs: 0,
    ...extra,
  });
  s.start();
  return s;
}
const seqs = (s: LogStream) => s.buffer.rows.map((r) => r.seq);

describe('LogStream', () => {
  it('opens the stream live, then reads history up to where the stream starts', async () => {
    const journal = fakeJournal(range(1, 250));
    const s = start(journal);
    expect(sources.last().url).toBe('/api/vms/vm1/events/stream');
    expect(journal.fetchPage).not.toHaveBeenCalled();
    sources.last().snapshot(250);
    await flushPromises();
    expect(journal.calls[0]).toMatchObject({ vm: 'vm1', before: 251, limit: 100 });
    expect(seqs(s)).toEqual(range(151, 250).map((r) => r.seq));
    expect(s.getState()).toMatchObject({ connection: 'live', historyComplete: false });

    // Live records arrive and are added once per frame.
    for (const r of range(251, 260)) sources.last().record(r);
    expect(s.buffer.size).toBe(100);
    runFrames();
    expect(s.buffer.newestSeq).toBe(260);

    // Scrolling up loads older pages until the journal has no more.
    await s.loadOlder();
    expect(journal.calls[1]).toMatchObject({ before: 151 });
    await s.loadOlder();
    expect(s.getState().historyComplete).toBe(true);
    await s.loadOlder();
    expect(journal.fetchPage).toHaveBeenCalledTimes(3);
    expect(seqs(s)).toEqual(range(1, 260).map((r) => r.seq));
    s.close();
  });

  it('keeps live records that arrive before history, with no gap and no duplicate', async () => {
    const journal = fakeJournal(range(1, 50));
    const s = start(journal);
    const es = sources.last();
    es.snapshot(50);
    // Live records before the history page has come back.
    for (const r of range(51, 55)) es.record(r);
    runFrames();
    await flushPromises();
    expect(seqs(s)).toEqual(range(1, 55).map((r) => r.seq));
    expect(s.getState().historyComplete).toBe(true);
  });

  it('resumes after a dropped connection without gaps or duplicates', async () => {
    const s = start(fakeJournal([]));
    const es = sources.last();
    es.snapshot(0);
    await flushPromises();
    for (const r of range(1, 10)) es.record(r);
    runFrames();
    // EventSource reconnects by itself with Last-Event-ID 10; the journal replays from there, and a
    // proxy between may well repeat some records.
    es.drop();
    expect(s.getState().connection).toBe('reconnecting');
    es.snapshot(10);
    for (const r of range(8, 14)) es.record(r);
    runFrames();
    expect(seqs(s)).toEqual(range(1, 14).map((r) => r.seq));
    expect(s.getState().connection).toBe('live');
  });

  it('reopens with ?after= the last id seen when EventSource gives up', async () => {
    vi.useFakeTimers();
    const s = start(fakeJournal([]));
    const es = sources.last();
    es.snapshot(0);
    for (const r of range(1, 5)) es.record(r);
    es.fail();
    expect(s.getState().connection).toBe('reconnecting');
    await vi.advanceTimersByTimeAsync(1000);
    expect(sources.sources).toHaveLength(2);
    expect(sources.last().url).toBe('/api/vms/vm1/events/stream?after=5');
    sources.last().snapshot(5);
    for (const r of range(6, 7)) sources.last().record(r);
    runFrames();
    expect(seqs(s)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    // Records of the old source never count again.
    es.record(record({ seq: 99, event: 'STOP' }));
    runFrames();
    expect(s.buffer.newestSeq).toBe(7);
    s.close();
  });

  it('starts over when the journal was replaced (its position is behind what was shown)', async () => {
    const s = start(fakeJournal([]));
    const es = sources.last();
    es.snapshot(0);
    await flushPromises();
    for (const r of range(1, 500)) es.record(r);
    runFrames();
    const fresh = fakeJournal(range(1, 3, 'RESUME'));
    (s as unknown as { opts: { fetchPage: unknown } }).opts.fetchPage = fresh.fetchPage;
    es.drop();
    es.snapshot(3);
    await flushPromises();
    expect(seqs(s)).toEqual([1, 2, 3]);
    expect(s.buffer.rows[0]?.event).toBe('RESUME');
  });

  it('batches a storm into frames within a time budget', () => {
    let now = 0;
    const s = start(fakeJournal([]), { now: () => now, budgetMs: 8 });
    const es = sources.last();
    es.snapshot(0);
    let notified = 0;
    s.subscribe(() => notified++);
    for (const r of range(1, 10_000, 'BLOCK_IO_ERROR')) es.record(r);
    expect(frames).toHaveLength(1);
    // Every parse "takes" 0.01 ms here: 8 ms is about 800 records, then the frame yields.
    const run = frames.shift()!;
    const realParse = JSON.parse;
    const spy = vi.spyOn(JSON, 'parse').mockImplementation((text, reviver) => {
      now += 0.01;
      return realParse(text, reviver);
    });
    run();
    expect(s.buffer.size).toBeGreaterThan(500);
    expect(s.buffer.size).toBeLessThan(1000);
    expect(frames).toHaveLength(1);
    runFrames();
    spy.mockRestore();
    expect(s.buffer.size).toBe(10_000);
    expect(notified).toBeGreaterThan(5);
    expect(notified).toBeLessThan(20);
  });

  it('shows live rows at most every minNotifyMs, the latest always', async () => {
    vi.useFakeTimers();
    const s = start(fakeJournal([]), { minNotifyMs: 100, now: () => Date.now() });
    sources.last().snapshot(0);
    await vi.advanceTimersByTimeAsync(0);
    await vi.advanceTimersByTimeAsync(200);
    let notified = 0;
    s.subscribe(() => notified++);
    for (let round = 0; round < 10; round++) {
      sources.last().record(record({ seq: round + 1, event: 'STOP' }));
      runFrames();
      await vi.advanceTimersByTimeAsync(16);
    }
    // 160 ms of frames, each with a new row: the first at once, then one per 100 ms.
    expect(notified).toBe(2);
    await vi.advanceTimersByTimeAsync(100);
    expect(notified).toBe(3);
    expect(s.buffer.size).toBe(10);
    expect(s.getState().version).toBeGreaterThan(10);
    s.close();
  });

  it('reads history only, without a stream, for a range that has ended', async () => {
    const journal = fakeJournal(range(1, 20));
    const s = start(journal, { since: '2020-01-01T00:00:00Z', until: '2020-01-02T00:00:00Z' });
    await flushPromises();
    expect(sources.sources).toHaveLength(0);
    expect(journal.calls[0]).toMatchObject({
      before: null,
      since: '2020-01-01T00:00:00Z',
      until: '2020-01-02T00:00:00Z',
    });
    expect(s.getState()).toMatchObject({ connection: 'history', historyComplete: true });
    expect(s.buffer.size).toBe(20);
  });

  it('reports a failed history page and can retry it', async () => {
    const journal = fakeJournal(range(1, 5));
    journal.fetchPage.mockRejectedValueOnce(new Error('GET /api/vms/vm1/events: 500'));
    const s = start(journal);
    sources.last().snapshot(5);
    await flushPromises();
    expect(s.getState().historyError).toMatch(/500/);
    await s.loadOlder();
    expect(s.getState().historyError).toBeNull();
    expect(s.buffer.size).toBe(5);
  });

  it('keeps memory bounded by dropping the oldest rows', () => {
    const s = start(fakeJournal([]), { maxRows: 1000 });
    sources.last().snapshot(0);
    for (const r of range(1, 1200)) sources.last().record(r);
    runFrames();
    expect(s.buffer.size).toBe(1000);
    expect(s.buffer.oldestSeq).toBe(201);
    expect(s.getState()).toMatchObject({ trimmed: 200, historyComplete: false });
  });
});

describe('historyUrl', () => {
  it('asks for one page, newest first', () => {
    expect(historyUrl({ vm: null, before: 51, since: null, until: null, limit: 500 })).toBe(
      '/api/events?order=desc&limit=500&before=51',
    );
    expect(
      historyUrl({ vm: 'vm1', before: null, since: '2026-11-26T13:00:00Z', until: null, limit: 100 }),
    ).toBe('/api/vms/vm1/events?order=desc&limit=100&since=2026-11-26T13%3A00%3A00Z');
  });
});
