import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JsonObject, QmpEvent } from '../../protocol/qmp.ts';
import type { UpstreamStatus } from '../qmp/upstream-session.ts';
import { eventLogFile, Journal, type JournalOptions, recordJson, toJournalRecord } from './journal.ts';
import { type EventRow, JournalStore } from './journal-store.ts';

let dir: string;
let journal: Journal;
const opened: Journal[] = [];

function open(options: JournalOptions = {}): Journal {
  const j = new Journal(JournalStore.open(path.join(dir, 'journal.sqlite')), options);
  opened.push(j);
  return j;
}

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'journal-'));
});
afterEach(() => {
  for (const j of opened.splice(0)) j.close();
  rmSync(dir, { recursive: true, force: true });
});

const tick = () => new Promise<void>((r) => setImmediate(r));
/** Retry and audit delays run on timers: advanced by hand, never slept through. */
const timers = () => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
const sleep = (ms: number) => vi.advanceTimersByTimeAsync(ms);
afterEach(() => {
  vi.useRealTimers();
});

let usec = 0;
function ev(event: string, data?: JsonObject): QmpEvent {
  usec++;
  return { event, ...(data ? { data } : {}), timestamp: { seconds: 1700000000, microseconds: usec } };
}

const ioError = (reason = 'Input/output error'): QmpEvent =>
  ev('BLOCK_IO_ERROR', {
    device: 'bad0',
    'node-name': '#block152',
    operation: 'read',
    action: 'stop',
    nospace: false,
    reason,
  });

/** What is in SQLite, once the journal has filled it with everything published. */
const all = (j: Journal) => {
  j.settle();
  return j.store.query({ limit: 100_000, order: 'asc' });
};
const logSeqs = (j: Journal) =>
  readFileSync(eventLogFile(j.store.file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as number[])[0]);

describe('write before fan-out', () => {
  beforeEach(() => {
    journal = open();
  });

  it('delivers each event only once it is in the log, in order, one write per batch, no turn waited', async () => {
    const seenAtDelivery: { seq: number; inLog: boolean }[] = [];
    for (let i = 0; i < 10; i++) {
      const vm = i % 2 ? 'a' : 'b';
      journal.sink(vm, ev('STOP'), '', () => {
        const seq = seenAtDelivery.length + 1;
        seenAtDelivery.push({ seq, inLog: logSeqs(journal).includes(seq) });
      });
    }
    expect(seenAtDelivery).toEqual([]);
    expect(logSeqs(journal)).toEqual([]);
    // The batch goes out once the code that queued it is done, before any I/O or timer.
    await Promise.resolve();
    expect(seenAtDelivery.map((s) => s.inLog)).toEqual(Array(10).fill(true));
    // SQLite is filled behind; readers see the published rows either way.
    expect(journal.store.lastSeq).toBe(0);
    expect(journal.query({ limit: 100, order: 'asc' }).map((r) => r.seq)).toEqual(
      Array.from({ length: 10 }, (_, i) => i + 1),
    );
    expect(all(journal).map((r) => [r.seq, r.vm])).toEqual(
      Array.from({ length: 10 }, (_, i) => [i + 1, i % 2 ? 'a' : 'b']),
    );
    // Once SQLite holds them the log starts again from empty.
    expect(logSeqs(journal)).toEqual([]);
  });

  it('fills SQLite behind delivery, within the save delay', async () => {
    timers();
    journal.close();
    journal = open({ saveDelayMs: 20 });
    journal.sink('a', ev('STOP'), '', () => {});
    await tick();
    expect(journal.store.lastSeq).toBe(0);
    await sleep(60);
    expect(journal.store.lastSeq).toBe(1);
  });

  it('a console killed before the fill: the next start reads the log back into SQLite, alerts included', async () => {
    journal.close();
    journal = open({ saveDelayMs: 60_000 });
    for (let i = 0; i < 5; i++) journal.sink('a', ioError(), '', () => {});
    await tick();
    expect(journal.store.lastSeq).toBe(0);
    // As after kill -9: the database is closed without the fill, the log stays as it is.
    opened.splice(opened.indexOf(journal), 1);
    journal.store.db.close();
    const again = open();
    expect(again.store.query({ limit: 10, order: 'asc' }).map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(again.store.openAlerts()).toMatchObject([{ count: 5, firstSeq: 1, lastSeq: 5 }]);
    expect(logSeqs(again)).toEqual([]);
    again.sink('a', ev('STOP'), '', () => {});
    await tick();
    expect(all(again).at(-1)!.seq).toBe(6);
  });

  it('publishes committed records to subscribers after delivery', async () => {
    const order: string[] = [];
    journal.subscribe({
      records: (rows) => order.push(...rows.map((r) => `sub:${r.seq}`)),
      alert: () => {},
    });
    journal.sink('a', ev('STOP'), '', () => order.push('deliver:1'));
    journal.sink('a', ev('RESUME'), '', () => order.push('deliver:2'));
    await tick();
    expect(order).toEqual(['deliver:1', 'deliver:2', 'sub:1', 'sub:2']);
    expect(journal.headSeq).toBe(2);
  });

  it('a record keeps QMP’s shape: no data when QEMU sent none; console entries marked', async () => {
    journal.sink('a', { event: 'STOP', timestamp: { seconds: 5, microseconds: 6 } }, '', () => {});
    journal.vmStatus('a', status('connected'));
    await tick();
    const [stop, fact] = all(journal).map(toJournalRecord);
    expect(stop).toEqual({
      seq: 1,
      vm: 'a',
      event: 'STOP',
      timestamp: { seconds: 5, microseconds: 6 },
      received: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(fact).toMatchObject({
      seq: 2,
      event: 'CONSOLE_CONNECTED',
      source: 'console',
      data: { version: { qemu: { major: 7, minor: 2, micro: 22 }, package: 'test' } },
    });
  });
});

function status(state: UpstreamStatus['state'], error: string | null = null): UpstreamStatus {
  return {
    state,
    since: new Date(),
    error,
    greeting: {
      QMP: { version: { qemu: { major: 7, minor: 2, micro: 22 }, package: 'test' }, capabilities: [] },
    },
  };
}

describe('received times', () => {
  it('never go back when the wall clock does, so time filters stay seq ranges', async () => {
    const clock = [5000, 6000, 4000, 7000];
    let i = 0;
    journal = open({ now: () => clock[Math.min(i++, clock.length - 1)]! });
    for (const name of ['STOP', 'RESUME', 'STOP', 'RESUME']) journal.sink('a', ev(name), '', () => {});
    await tick();
    expect(all(journal).map((r) => r.received)).toEqual([5000, 6000, 6000, 7000]);
    expect(journal.query({ limit: 10, order: 'asc', since: 6000 }).map((r) => r.seq)).toEqual([2, 3, 4]);
  });
});

describe('console facts and audit', () => {
  beforeEach(() => {
    journal = open();
  });

  it('records each connection change once, in the same timeline', async () => {
    journal.vmStatus('a', status('disconnected', 'unix:/x: no such socket'));
    journal.vmStatus('a', status('connecting'));
    journal.vmStatus('a', status('disconnected', 'unix:/x: no such socket'));
    journal.vmStatus('a', status('connected'));
    journal.sink('a', ev('RESUME'), '', () => {});
    journal.vmStatus('a', status('disconnected', 'QEMU closed the QMP connection'));
    await tick();
    expect(all(journal).map((r) => [r.event, r.source, r.data && JSON.parse(r.data)])).toEqual([
      ['CONSOLE_DISCONNECTED', 'console', { reason: 'unix:/x: no such socket' }],
      [
        'CONSOLE_CONNECTED',
        'console',
        { version: { qemu: { major: 7, minor: 2, micro: 22 }, package: 'test' } },
      ],
      ['RESUME', 'qemu', null],
      ['CONSOLE_DISCONNECTED', 'console', { reason: 'QEMU closed the QMP connection' }],
    ]);
  });

  it('keeps command audit records with argument names only', async () => {
    timers();
    journal.recordCommand({
      vm: 'a',
      context: { role: 'operator', remoteAddress: '127.0.0.1:5' },
      command: 'human-monitor-command',
      argumentNames: ['command-line'],
      outcome: 'ok',
    });
    await tick();
    // Off the command path: not in the same tick's commit, but within the audit delay.
    expect(journal.store.audit(10)).toEqual([]);
    await sleep(300);
    expect(journal.store.audit(10)).toEqual([
      expect.objectContaining({
        vm: 'a',
        command: 'human-monitor-command',
        argumentNames: ['command-line'],
        outcome: 'ok',
        errorClass: null,
        role: 'operator',
        remote: '127.0.0.1:5',
      }),
    ]);
  });
});

describe('alerts', () => {
  beforeEach(() => {
    journal = open();
  });

  it('coalesces repeats of the same device/operation/reason while open', async () => {
    const changes: number[] = [];
    journal.subscribe({ records: () => {}, alert: (a) => changes.push(a.count) });
    for (let i = 0; i < 1000; i++) {
      journal.sink('a', ioError(), '', () => {});
      journal.sink('a', ev('STOP'), '', () => {});
    }
    journal.sink('a', ioError('No space left on device'), '', () => {});
    journal.sink('b', ioError(), '', () => {});
    await tick();
    const open = journal.listAlerts({ state: 'open', limit: 10 });
    expect(open).toHaveLength(3);
    const main = open.find((a) => a.vm === 'a' && a.reason === 'Input/output error')!;
    expect(main).toMatchObject({
      count: 1000,
      firstSeq: 1,
      lastSeq: 1999,
      device: 'bad0',
      node: '#block152',
    });
    // One push per alert per batch, not one per event.
    expect(changes.length).toBeLessThanOrEqual(3 * 2);
    // It is in the database as well.
    journal.settle();
    expect(journal.store.openAlerts().find((a) => a.id === main.id)?.count).toBe(1000);
  });

  it('acknowledging records who and when; a later repeat opens a new alert', async () => {
    journal.sink('a', ioError(), '', () => {});
    await tick();
    const [alert] = journal.listAlerts({ state: 'open', limit: 10 });
    const acked = journal.acknowledge(alert!.id, 'operator@127.0.0.1');
    expect(acked).toMatchObject({ state: 'acknowledged', acknowledgedBy: 'operator@127.0.0.1' });
    expect(journal.acknowledge(alert!.id, 'someone else')).toMatchObject({
      acknowledgedBy: 'operator@127.0.0.1',
    });
    expect(journal.acknowledge(999, 'x')).toBe('not-found');
    journal.sink('a', ioError(), '', () => {});
    await tick();
    expect(journal.listAlerts({ state: 'open', limit: 10 }).map((a) => a.id)).toEqual([alert!.id + 1]);
    expect(journal.listAlerts({ state: 'acknowledged', limit: 10 }).map((a) => a.id)).toEqual([alert!.id]);
  });

  it('open alerts survive a restart and keep coalescing', async () => {
    journal.sink('a', ioError(), '', () => {});
    await tick();
    journal.close();
    journal = open();
    journal.sink('a', ioError(), '', () => {});
    await tick();
    expect(journal.listAlerts({ state: 'open', limit: 10 })).toMatchObject([{ id: 1, count: 2 }]);
  });
});

describe('when appends fail (disk full)', () => {
  function fillDisk(j: Journal): () => void {
    const pages = j.store.db.pragma('page_count', { simple: true }) as number;
    j.store.db.pragma(`max_page_count = ${pages}`);
    return () => j.store.db.pragma('max_page_count = 1073741823');
  }
  const big = (i: number) =>
    ev('BLOCK_IO_ERROR', { device: 'bad0', operation: 'read', reason: `${i}`.padEnd(300, '.') });

  it('delivers anyway, reports, keeps a readable backlog, and writes it once there is room', async () => {
    timers();
    journal = open({ retryInitialMs: 5, retryMaxMs: 20 });
    const free = fillDisk(journal);
    const delivered: number[] = [];
    const published: number[] = [];
    journal.subscribe({ records: (rows) => published.push(...rows.map((r) => r.seq)), alert: () => {} });
    for (let i = 0; i < 300; i++) journal.sink('a', big(i), '', () => delivered.push(i));
    journal.settle();
    expect(delivered).toHaveLength(300);
    expect(published).toEqual(Array.from({ length: 300 }, (_, i) => i + 1));
    const h = journal.health();
    expect(h).toMatchObject({ ok: false, backlog: expect.any(Number), lost: 0 });
    expect(h.error).toMatch(/database or disk is full.*SQLITE_FULL/);
    expect(h.backlog).toBeGreaterThan(0);
    // Readers see the backlog too: resuming streams have no gap.
    expect(journal.readAfter(0, {}, 1000).map((r) => r.seq)).toEqual(published);
    expect(journal.query({ limit: 5, order: 'desc' }).map((r) => r.seq)).toEqual([300, 299, 298, 297, 296]);
    // Alerts keep working from memory.
    expect(journal.listAlerts({ state: 'open', limit: 10 }).length).toBeGreaterThan(0);
    await sleep(50);
    expect(journal.health().ok).toBe(false);
    free();
    await sleep(60);
    expect(journal.health()).toMatchObject({ ok: true, error: null, backlog: 0 });
    expect(all(journal).map((r) => r.seq)).toEqual(published);
    expect(journal.store.openAlerts().length).toBe(journal.listAlerts({ state: 'open', limit: 1000 }).length);
  });

  it('past the backlog limit: drops from the journal (not from clients) and records the gap', async () => {
    timers();
    journal = open({ retryInitialMs: 5, retryMaxMs: 10, maxBacklog: 50 });
    const free = fillDisk(journal);
    let delivered = 0;
    for (let i = 0; i < 50; i++) journal.sink('a', big(i), '', () => delivered++);
    journal.settle();
    expect(journal.health()).toMatchObject({ ok: false, backlog: 50 });
    // Failing now: memory is full, the rest are only delivered.
    for (let i = 50; i < 120; i++) journal.sink('a', big(i), '', () => delivered++);
    journal.settle();
    expect(delivered).toBe(120);
    expect(journal.health()).toMatchObject({ ok: false, lost: 120 - 50 });
    free();
    await sleep(50);
    expect(journal.health().ok).toBe(true);
    const rows = all(journal);
    expect(rows).toHaveLength(51);
    expect(rows.at(-1)).toMatchObject({ seq: 121, event: 'CONSOLE_JOURNAL_GAP', source: 'console' });
    expect(JSON.parse(rows.at(-1)!.data!)).toEqual({ lost: 70, firstSeq: 51, lastSeq: 120 });
    journal.sink('a', ev('STOP'), '', () => {});
    await tick();
    expect(all(journal).at(-1)!.seq).toBe(122);
  });
});

describe('retention on the live journal', () => {
  it('prunes in small steps down to the limit', async () => {
    journal = open({ retention: { maxEvents: 100 }, pruneBatch: 30 });
    for (let i = 0; i < 500; i++) journal.sink('a', ev('STOP'), '', () => {});
    journal.settle();
    journal.pruneSome();
    expect(journal.store.firstSeq()).toBe(31);
    for (let i = 0; i < 20; i++) await tick();
    expect(journal.store.firstSeq()).toBe(401);
    expect(journal.status()).toMatchObject({
      firstSeq: 401,
      lastSeq: 500,
      retention: { maxEvents: 100, maxAgeMs: null },
    });
  });
});

describe('recordJson', () => {
  it('is the JSON of the record, data spliced in as stored', () => {
    const r: EventRow = {
      seq: 7,
      vm: 'v"1',
      event: 'X',
      data: '{"a":[1,"\\n"]}',
      tsSeconds: -1,
      tsMicro: -1,
      received: Date.UTC(2026, 1, 2, 3, 4, 5, 6),
      source: 'console',
    };
    expect(JSON.parse(recordJson(r))).toEqual({
      seq: 7,
      vm: 'v"1',
      event: 'X',
      data: { a: [1, '\n'] },
      timestamp: { seconds: -1, microseconds: -1 },
      received: '2026-02-02T03:04:05.006Z',
      source: 'console',
    });
  });
});

describe("an event's integers", () => {
  it('are journaled as QEMU wrote them, not rounded to a JS number', async () => {
    journal = open();
    const raw =
      '{"timestamp": {"seconds": 1700000000, "microseconds": 5}, "event": "BLOCK_WRITE_THRESHOLD", "data": {"node-name": "n", "amount-exceeded": 9007199254740993, "write-threshold": 18446744073709551615}}';
    const event = JSON.parse(raw) as QmpEvent;
    journal.sink('a', event, raw, () => {});
    // A line laid out otherwise falls back to the parsed value.
    journal.sink('a', ev('BLOCK_WRITE_THRESHOLD', { 'amount-exceeded': 1 }), '{"odd":1}', () => {});
    await tick();
    const [first, second] = journal.query({ limit: 10, order: 'asc' });
    expect(first!.data).toBe(
      '{"node-name": "n", "amount-exceeded": 9007199254740993, "write-threshold": 18446744073709551615}',
    );
    expect(second!.data).toBe('{"amount-exceeded":1}');
  });
});

describe('WAL checkpoints', () => {
  const stored = (j: Journal) => j.store.query({ limit: 1000, order: 'asc' }).length;

  it('wait for the saves to pause: none in the middle of a storm, one once it is over', async () => {
    timers();
    journal = open({ saveDelayMs: 100, checkpointIdleMs: 1000, checkpointRows: 1_000_000 });
    expect(journal.store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    const checkpoints = vi.spyOn(journal.store, 'checkpoint');
    for (let i = 0; i < 30; i++) {
      journal.sink('vm', ev('STOP'), '', () => {});
      await tick();
      await sleep(100);
    }
    expect(stored(journal)).toBe(30);
    expect(checkpoints).not.toHaveBeenCalled();
    await sleep(1000);
    expect(checkpoints).toHaveBeenCalledTimes(1);
    // Nothing written since: nothing to copy back.
    await sleep(5000);
    expect(checkpoints).toHaveBeenCalledTimes(1);
  });

  it('bound the WAL in a storm that lasts: a checkpoint once checkpointRows were saved', async () => {
    timers();
    journal = open({ checkpointIdleMs: 60_000, checkpointRows: 25 });
    const checkpoints = vi.spyOn(journal.store, 'checkpoint');
    for (let i = 0; i < 20; i++) journal.sink('vm', ev('STOP'), '', () => {});
    journal.settle();
    expect(checkpoints).not.toHaveBeenCalled();
    journal.recordCommand({
      vm: 'vm',
      context: { role: 'operator', remoteAddress: '127.0.0.1:1' },
      command: 'cont',
      argumentNames: [],
      outcome: 'ok',
    });
    for (let i = 0; i < 5; i++) journal.sink('vm', ev('RESUME'), '', () => {});
    journal.settle();
    expect(checkpoints).toHaveBeenCalledTimes(1);
    expect(stored(journal)).toBe(25);
  });
});
