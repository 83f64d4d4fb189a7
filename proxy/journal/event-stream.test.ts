import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { failingReadData } from '../test-support/qmp-events.ts';
import { DEFAULT_STREAM_OPTIONS, EventStream } from './event-stream.ts';
import { Journal } from './journal.ts';
import { JournalStore } from './journal-store.ts';

/** A response that records each write. */
function fakeResponse() {
  const writes: string[] = [];
  const res = Object.assign(new EventEmitter(), {
    writableLength: 0,
    destroyed: false,
    writeHead: () => res,
    write: (chunk: string) => {
      writes.push(chunk);
      return true;
    },
    end: () => {},
  });
  return { res: res as unknown as ServerResponse, writes };
}

let dir: string;
let journal: Journal;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'event-stream-'));
  journal = new Journal(JournalStore.open(path.join(dir, 'journal.sqlite')));
});
afterEach(() => {
  journal.close();
  rmSync(dir, { recursive: true, force: true });
});

let usec = 0;
function emit(event: string): void {
  usec++;
  journal.sink('a', { event, timestamp: { seconds: 1_700_000_000, microseconds: usec } }, '', () => {});
}
/** A failing disk's error: each one bumps the same alert's count. */
function ioError(): void {
  usec++;
  journal.sink(
    'a',
    {
      event: 'BLOCK_IO_ERROR',
      data: { ...failingReadData },
      timestamp: { seconds: 1_700_000_000, microseconds: usec },
    },
    '',
    () => {},
  );
}
const tick = () => new Promise<void>((r) => setImmediate(r));
const ids = (writes: string[]) =>
  [...writes.join('').matchAll(/^id: (\d+)\nevent: qmp\n/gm)].map((m) => m[1]);

describe('EventStream live', () => {
  it('writes the batches the journal published within one tick in one write, in order', async () => {
    const { res, writes } = fakeResponse();
    const stream = new EventStream(res, journal, {}, null);
    await tick();
    writes.length = 0;
    // Three reads from QEMU in one turn: three journal batches (each flushed in its own microtask).
    for (const e of ['STOP', 'RESUME', 'STOP']) {
      emit(e);
      await Promise.resolve();
    }
    expect(writes).toEqual([]);
    await tick();
    expect(writes).toHaveLength(1);
    expect(ids(writes)).toEqual(['1', '2', '3']);
    stream.close();
  });

  it('writes nothing queued once closed', async () => {
    const { res, writes } = fakeResponse();
    const stream = new EventStream(res, journal, {}, null);
    await tick();
    writes.length = 0;
    emit('STOP');
    await Promise.resolve();
    stream.close();
    await tick();
    expect(writes).toEqual([]);
  });
});

describe('EventStream alerts', () => {
  const alertCounts = (writes: string[]) =>
    [...writes.join('').matchAll(/^event: alert\ndata: (.*)$/gm)].map(
      (m) => (JSON.parse(m[1]!) as { count: number }).count,
    );

  it('sends the first change at once; changes within alertCoalesceMs leave together, newest state only', async () => {
    const { res, writes } = fakeResponse();
    const stream = new EventStream(res, journal, {}, null, {
      ...DEFAULT_STREAM_OPTIONS,
      alertCoalesceMs: 50,
    });
    await tick();
    writes.length = 0;
    ioError();
    await tick();
    expect(alertCounts(writes)).toEqual([1]);
    // Five more errors, each in a batch of its own: five changes of the same alert.
    for (let i = 0; i < 5; i++) {
      ioError();
      await tick();
    }
    await vi.waitFor(() => expect(alertCounts(writes)).toEqual([1, 6]));
    // Every record was written meanwhile, each in its batch's write.
    expect(ids(writes)).toEqual(['1', '2', '3', '4', '5', '6']);
    stream.close();
  });

  it('with alertCoalesceMs 0 sends every change', async () => {
    const { res, writes } = fakeResponse();
    const stream = new EventStream(res, journal, {}, null, { ...DEFAULT_STREAM_OPTIONS, alertCoalesceMs: 0 });
    await tick();
    writes.length = 0;
    for (let i = 0; i < 3; i++) {
      ioError();
      await tick();
    }
    // Each change is its own frame; the fan-out clock may join them in one write.
    await vi.waitFor(() => expect(alertCounts(writes)).toEqual([1, 2, 3]));
    stream.close();
  });

  it('drops held changes when closed', async () => {
    const { res, writes } = fakeResponse();
    const stream = new EventStream(res, journal, {}, null, {
      ...DEFAULT_STREAM_OPTIONS,
      alertCoalesceMs: 10_000,
    });
    await tick();
    ioError();
    await tick();
    ioError();
    await tick();
    writes.length = 0;
    stream.close();
    await tick();
    expect(alertCounts(writes)).toEqual([]);
  });
});
