// The fleet's ingest on a real journal (SQLite in a temporary directory) with stand-in stream messages:
// each host's records once, in the host's order, whatever order and however often they arrive.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Journal } from '../journal/journal.ts';
import { JournalStore } from '../journal/journal-store.ts';
import { CursorTable } from '../nats/cursor-table.ts';
import { eventSubject, PREV_SEQ_HEADER } from '../nats/subjects.ts';
import { EventIngest, type EventMessage } from './event-ingest.ts';

interface FakeMessage extends EventMessage {
  acked: number;
  termed: number;
}

function message(host: string, seq: number, prev: number, event = 'STOP', body?: string): FakeMessage {
  const record = {
    seq,
    vm: 'vm',
    event,
    timestamp: { seconds: 1_700_000_000 + seq, microseconds: seq },
    received: new Date().toISOString(),
  };
  const m: FakeMessage = {
    acked: 0,
    termed: 0,
    subject: eventSubject(host, 'vm', event),
    headers: { get: (k: string) => (k === PREV_SEQ_HEADER ? String(prev) : '') } as EventMessage['headers'],
    json: <T>() => JSON.parse(body ?? JSON.stringify(record)) as T,
    ack: () => {
      m.acked++;
    },
    term: () => {
      m.termed++;
    },
  };
  return m;
}

let dir: string;
let journal: Journal;
let ingest: EventIngest;

function open(): void {
  journal = new Journal(JournalStore.open(path.join(dir, 'journal.sqlite'), { check: false }));
  ingest = new EventIngest('fleet-1', journal, new CursorTable(journal.store.db), { gapWaitMs: 15_000 });
}

/** Commits what is queued; the cursors are saved and messages acknowledged right after. */
async function commit(): Promise<void> {
  journal.flush();
  await Promise.resolve();
}

/** Each record's (vm, QEMU timestamp seconds) in the fleet journal's order. */
const journaled = () =>
  journal.query({ limit: 100, order: 'asc' }).map((r) => [r.vm, r.tsSeconds - 1_700_000_000]);

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-ingest-'));
  open();
});

afterEach(() => {
  vi.useRealTimers();
  ingest.stop();
  journal.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('EventIngest', () => {
  it('journals records as VM@HOST and acknowledges them only once committed', async () => {
    const msgs = [message('h1', 1, 0), message('h1', 2, 1)];
    for (const m of msgs) ingest.receive(m);
    expect(msgs.map((m) => m.acked)).toEqual([0, 0]);
    await commit();
    expect(msgs.map((m) => m.acked)).toEqual([1, 1]);
    expect(journaled()).toEqual([
      ['vm@h1', 1],
      ['vm@h1', 2],
    ]);
    expect(ingest.committedSeq('h1')).toBe(2);
  });

  it('drops a repeat (redelivered, or republished after its dedup window) and acknowledges it', async () => {
    ingest.receive(message('h1', 1, 0));
    ingest.receive(message('h1', 2, 1));
    await commit();
    const again = message('h1', 2, 1);
    ingest.receive(again);
    await commit();
    expect(again.acked).toBe(1);
    expect(journaled()).toHaveLength(2);
  });

  it("puts a host's records back in its order when a later one arrives first", async () => {
    ingest.receive(message('h1', 1, 0));
    const early = [message('h1', 4, 3), message('h1', 3, 2)];
    for (const m of early) ingest.receive(m);
    await commit();
    // Held, not acknowledged: the stream will offer them again if the fleet stops now.
    expect(early.map((m) => m.acked)).toEqual([0, 0]);
    ingest.receive(message('h1', 2, 1));
    ingest.receive(message('h2', 1, 0));
    await commit();
    expect(early.map((m) => m.acked)).toEqual([1, 1]);
    expect(journaled()).toEqual([
      ['vm@h1', 1],
      ['vm@h1', 2],
      ['vm@h1', 3],
      ['vm@h1', 4],
      ['vm@h2', 1],
    ]);
  });

  it('goes on without a seq that never comes (the host pruned it before publishing)', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'Date'] });
    ingest.stop();
    ingest = new EventIngest('fleet-1', journal, new CursorTable(journal.store.db), { gapWaitMs: 15_000 });
    ingest.receive(message('h1', 1, 0));
    ingest.receive(message('h1', 5, 4));
    await commit();
    expect(journaled()).toHaveLength(1);
    vi.advanceTimersByTime(16_000);
    await commit();
    expect(journaled()).toEqual([
      ['vm@h1', 1],
      ['vm@h1', 5],
    ]);
  });

  it('resumes after a restart from the saved cursor: nothing journaled twice', async () => {
    ingest.receive(message('h1', 1, 0));
    ingest.receive(message('h1', 2, 1));
    await commit();
    ingest.stop();
    journal.close();
    open();
    expect(ingest.committedSeq('h1')).toBe(2);
    const redelivered = message('h1', 2, 1);
    ingest.receive(redelivered);
    ingest.receive(message('h1', 3, 2));
    await commit();
    expect(redelivered.acked).toBe(1);
    expect(journaled()).toEqual([
      ['vm@h1', 1],
      ['vm@h1', 2],
      ['vm@h1', 3],
    ]);
  });

  it('refuses what is not a journal record, without stopping', async () => {
    const bad = [
      message('h1', 1, 0, 'STOP', '{"seq":"1"}'),
      message('h1', 1, 0, 'STOP', 'not json'),
      message('h1', 1, 0, 'STOP', '{"seq":1,"vm":"vm","event":"STOP","timestamp":null}'),
    ];
    for (const m of bad) ingest.receive(m);
    ingest.receive(message('h1', 1, 0));
    await commit();
    expect(bad.map((m) => m.termed)).toEqual([1, 1, 1]);
    expect(journaled()).toEqual([['vm@h1', 1]]);
  });
});
