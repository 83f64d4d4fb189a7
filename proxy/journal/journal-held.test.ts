// The journal and the fan-out clock: while a storm's events are held for watchers, the log is written
// once per held write, just before it; a client talking to QEMU, or a reply, is not held.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { type FanOutWriter, fanOutClock, TALKING_MS } from '../hub/fan-out-clock.ts';
import { eventLogFile, Journal } from './journal.ts';
import { JournalStore } from './journal-store.ts';

let dir: string;
let journal: Journal;
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  vi.advanceTimersByTime(60_000);
  dir = mkdtempSync(path.join(os.tmpdir(), 'journal-held-'));
  journal = new Journal(JournalStore.open(path.join(dir, 'journal.sqlite')));
});
afterEach(() => {
  // Whatever the clock still holds leaves, so the next test starts from a quiet clock.
  vi.advanceTimersByTime(1000);
  vi.useRealTimers();
  journal.close();
  rmSync(dir, { recursive: true, force: true });
});

const turn = () => new Promise<void>((r) => process.nextTick(r));
const logged = () =>
  readFileSync(eventLogFile(journal.store.file), 'utf8').split('\n').filter(Boolean).length;
let usec = 0;
/** One read from QEMU holding one event. */
function read(event: string, deliver: () => void): void {
  const e = { event, timestamp: { seconds: 1700000000, microseconds: ++usec } };
  journal.sink('vm', e, JSON.stringify(e), deliver);
}

/** A watcher written once, then held: its next write waits for the clock's interval. */
async function heldWatcher(order: string[]): Promise<void> {
  const watcher: FanOutWriter = { writeWaiting: () => order.push('write') };
  fanOutClock.wait(watcher);
  await turn();
  vi.advanceTimersByTime(0.5);
  fanOutClock.wait(watcher);
  await turn();
  expect(order).toEqual(['write']);
}

it('writes the reads of a held storm to the log in one batch, just before the held write, in order', async () => {
  const order: string[] = [];
  await heldWatcher(order);
  const flush = vi.spyOn(journal, 'flush');
  for (const name of ['RESUME', 'BLOCK_IO_ERROR', 'STOP']) {
    read(name, () => order.push(name));
    await turn();
  }
  expect(order).toEqual(['write']);
  expect(logged()).toBe(0);
  vi.advanceTimersByTime(2);
  expect(order).toEqual(['write', 'RESUME', 'BLOCK_IO_ERROR', 'STOP', 'write']);
  expect(logged()).toBe(3);
  expect(flush).toHaveBeenCalledTimes(1);
});

it('holds nothing while a client is talking to QEMU, and delivers what it holds when asked (a reply behind it)', async () => {
  const order: string[] = [];
  await heldWatcher(order);
  read('STOP', () => order.push('STOP'));
  await turn();
  expect(order).toEqual(['write']);
  // QEMU's reply comes next: the hub has the held events delivered first, at once.
  journal.flushHeldEvents();
  expect(order).toEqual(['write', 'STOP']);
  expect(logged()).toBe(1);
  // A client got a reply: its events (and everyone's) are written after each read again.
  fanOutClock.heard();
  read('RESUME', () => order.push('RESUME'));
  await turn();
  expect(order).toEqual(['write', 'STOP', 'RESUME']);
  expect(logged()).toBe(2);
  vi.advanceTimersByTime(TALKING_MS);
});
