import type { Duplex } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { TALKING_MS } from '../qmp/read-pacer.ts';
import { EventFrames } from './event-fan-out.ts';
import { textFrame } from './qmp-websocket.ts';

const tick = () => new Promise<void>((r) => process.nextTick(r));
const event = (n: number) => `{"timestamp": {"seconds": 1, "microseconds": ${n}}, "event": "STOP"}`;

function client() {
  const writes: Buffer[] = [];
  const socket = { cork() {}, uncork() {}, write: (b: Buffer) => writes.push(b) > 0 };
  const ws = { readyState: 1 } as unknown as WebSocket;
  return { frames: new EventFrames(ws, socket as unknown as Duplex), writes };
}

describe('EventFrames', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("holds a watcher's storm for the fan-out interval, but not the events of a client QEMU just answered", async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    vi.advanceTimersByTime(60_000);
    const watcher = client();
    const driver = client();
    watcher.frames.push(textFrame(event(1)));
    await tick();
    expect(watcher.writes).toHaveLength(1);
    // The storm's next read: the watcher waits for the interval.
    vi.advanceTimersByTime(0.5);
    watcher.frames.push(textFrame(event(2)));
    await tick();
    expect(watcher.writes).toHaveLength(1);
    vi.advanceTimersByTime(2);
    expect(watcher.writes).toHaveLength(2);
    // A driver answering each STOP with `cont` gets its events within the tick, a storm or not.
    driver.frames.replied();
    for (let n = 3; n <= 5; n++) {
      vi.advanceTimersByTime(0.5);
      driver.frames.push(textFrame(event(n)));
      await tick();
      expect(driver.writes).toHaveLength(n - 2);
    }
    // Once QEMU's answer is old, it is a watcher again.
    vi.advanceTimersByTime(TALKING_MS);
    expect(driver.frames.talking).toBe(false);
  });
});
