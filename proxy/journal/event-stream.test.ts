import { EventEmitter } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventStream } from './event-stream.ts';
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
