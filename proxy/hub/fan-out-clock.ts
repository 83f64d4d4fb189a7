// When QEMU's events leave for the clients that watch them (WebSocket clients, journal SSE streams).
//
// A storm (a guest retrying a failing disk: thousands of STOP/RESUME/BLOCK_IO_ERROR a second) is read
// from QEMU one or two events at a time: written to every watcher as read, it would cost a socket write
// (and a wake-up of the reader) per watcher per read, for a hundred watchers hundreds of thousands of
// syscalls a second. Writers that hold events for their socket wait here instead. The first write
// after a quiet spell leaves within the tick; while events keep coming, the next waits until
// FAN_OUT_INTERVAL_MS per FAN_OUT_WRITERS waiting writers (capped at FAN_OUT_MAX_INTERVAL_MS, well
// under what an operator would notice) have passed since the last: the more watchers share a burst,
// the more each write is worth waiting for. A few writers whose client is talking to QEMU (a driver
// that answers each STOP with `cont`) still write within the tick: it waits for what they carry.

/** Holds events for one socket; writes them all when asked. */
export interface FanOutWriter {
  writeWaiting(): void;
  /**
   * Written before the others in each write of the fan-out. A journal stream is one write that may
   * carry every VM's events to a page of the console; after a hundred WebSocket clients' writes it
   * would reach its reader behind all of them, while it costs each of them one write to go first.
   */
  readonly leads?: boolean;
  /**
   * Its client is talking to QEMU (it sent something lately): while fewer than FAN_OUT_WRITERS wait,
   * its events leave within the tick, not after the interval.
   */
  readonly talking?: boolean;
}

const FAN_OUT_WRITERS = 8;
const FAN_OUT_INTERVAL_MS = 2;
const FAN_OUT_MAX_INTERVAL_MS = 16;

export class FanOutClock {
  private leading = new Set<FanOutWriter>();
  private waiting = new Set<FanOutWriter>();
  private readonly tickEnds = new Set<() => void>();
  private queued = false;
  private timer: NodeJS.Timeout | null = null;
  private last = Number.NEGATIVE_INFINITY;

  /** `writer` has events waiting: its `writeWaiting` runs at the next write of the fan-out. */
  wait(writer: FanOutWriter): void {
    (writer.leads ? this.leading : this.waiting).add(writer);
    if (this.queued) return;
    if (this.timer) {
      // Watchers wait for the interval; a client talking to QEMU does not (the tick decides, by count).
      if (!writer.talking) return;
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.queued = true;
    process.nextTick(this.tick);
  }

  /** `writer` wrote what it held by itself (before a reply, a close). */
  wrote(writer: FanOutWriter): void {
    (writer.leads ? this.leading : this.waiting).delete(writer);
  }

  /** Runs after a write of the fan-out once each writer has written and none waits. */
  onTickEnd(fn: () => void): void {
    this.tickEnds.add(fn);
  }

  private readonly tick = (): void => {
    this.queued = false;
    const n = this.leading.size + this.waiting.size;
    if (n >= FAN_OUT_WRITERS || !this.talkerWaits()) {
      const interval = Math.min(
        FAN_OUT_MAX_INTERVAL_MS,
        FAN_OUT_INTERVAL_MS * Math.ceil(n / FAN_OUT_WRITERS),
      );
      const wait = this.last + interval - performance.now();
      // More than an interval to wait: the clock went back (a test's fake one); write now.
      if (wait > 0 && wait <= interval) {
        this.timer = setTimeout(() => {
          this.timer = null;
          this.tick();
        }, wait);
        return;
      }
      this.last = performance.now();
    }
    const leading = this.leading;
    const writers = this.waiting;
    this.leading = new Set();
    this.waiting = new Set();
    for (const w of leading) w.writeWaiting();
    for (const w of writers) w.writeWaiting();
    // A writer that queued again meanwhile still refers to this tick's frames: the next tick ends it.
    if (this.leading.size + this.waiting.size === 0) for (const fn of this.tickEnds) fn();
  };

  private talkerWaits(): boolean {
    for (const w of this.waiting) if (w.talking) return true;
    for (const w of this.leading) if (w.talking) return true;
    return false;
  }
}

/** The console's one clock: every watcher of every VM writes in the same ticks. */
export const fanOutClock = new FanOutClock();
