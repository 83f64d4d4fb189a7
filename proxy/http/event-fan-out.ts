// QEMU's events on their way to WebSocket clients, written on the fan-out clock's ticks.
//
// Each event's frame is built once (textFrame) and appended once to the tick's frame log; a client
// only remembers which stretch of that log is its own (no list, no write, nothing for the garbage
// collector per client per event). At the tick, a client's stretch leaves in one write; clients with
// the same stretch (every client of a VM that only watches) write the same Buffer, joined once.
import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { type FanOutWriter, fanOutClock } from '../hub/fan-out-clock.ts';
import { TALKING_MS } from '../qmp/read-pacer.ts';
import { writeInTick } from '../qmp/tick-writes.ts';

/** The frames queued since the last tick, in order. */
let log: Buffer[] = [];
/** Joined stretches of the log, written to more than one client in this tick. */
let joined = new Map<number | string, Buffer>();

fanOutClock.onTickEnd(() => {
  if (log.length === 0) return;
  log = [];
  joined = new Map();
});

/** The log's index of `frame`: appended when it is not the newest frame already (the next client's copy). */
function logIndex(frame: Buffer): number {
  const last = log.length - 1;
  if (last >= 0 && log[last] === frame) return last;
  log.push(frame);
  return last + 1;
}

/** One client's event frames not written yet: a stretch of the log, or several (another VM's between). */
export class EventFrames implements FanOutWriter {
  private from = -1;
  private repliedAt = Number.NEGATIVE_INFINITY;
  private to = -1;
  /** [from, to) pairs before the current stretch, when the client's frames are not contiguous. */
  private earlier: number[] | null = null;
  private waitingBytes = 0;

  constructor(
    private readonly ws: WebSocket,
    private readonly socket: Duplex,
  ) {}

  /**
   * A client that got a reply within TALKING_MS is talking to QEMU (a driver answering each STOP with
   * `cont`; an operator whose `stop` QEMU follows with STOP): its events leave within the tick. A client
   * that only watches gets them on the fan-out clock's interval.
   */
  get talking(): boolean {
    return performance.now() - this.repliedAt < TALKING_MS;
  }

  /** A reply to the client's command is being written. */
  replied(): void {
    this.repliedAt = performance.now();
  }

  /** Bytes queued here and not yet handed to the socket (part of what the client has not read). */
  get bytes(): number {
    return this.waitingBytes;
  }

  /** Queues a whole text frame, built once for every client (textFrame); written at the next tick. */
  push(frame: Buffer): void {
    const i = logIndex(frame);
    this.waitingBytes += frame.length;
    if (this.from < 0) {
      this.from = i;
      this.to = i + 1;
      fanOutClock.wait(this);
    } else if (i === this.to) {
      this.to++;
    } else {
      if (this.earlier === null) this.earlier = [];
      this.earlier.push(this.from, this.to);
      this.from = i;
      this.to = i + 1;
    }
  }

  /** Writes the queued frames now: before a reply or a close frame, which must not overtake them. */
  writeNow(): void {
    if (this.from < 0) return;
    fanOutClock.wrote(this);
    this.writeWaiting();
  }

  /** Hands the queued frames to the socket in one write. */
  writeWaiting(): void {
    if (this.from < 0) return;
    const buffer = this.joinedFrames();
    this.from = -1;
    this.to = -1;
    this.earlier = null;
    this.waitingBytes = 0;
    // A close frame (the peer's, or ws's own after a protocol error) has gone: nothing may follow it.
    // Through the tick's writes: a reply later in this tick joins them instead of a write of its own.
    if (this.ws.readyState === WebSocket.OPEN) writeInTick(this.socket, buffer);
  }

  private joinedFrames(): Buffer {
    const { from, to, earlier } = this;
    if (earlier === null && to - from === 1) return log[from]!;
    const key = earlier === null ? from * 0x100000 + to : `${earlier.join(',')},${from},${to}`;
    let buffer = joined.get(key);
    if (buffer === undefined) {
      const parts: Buffer[] = [];
      const stretches = earlier === null ? [from, to] : [...earlier, from, to];
      for (let s = 0; s < stretches.length; s += 2)
        for (let i = stretches[s]!; i < stretches[s + 1]!; i++) parts.push(log[i]!);
      buffer = Buffer.concat(parts, this.waitingBytes);
      joined.set(key, buffer);
    }
    return buffer;
  }
}
