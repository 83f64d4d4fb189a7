// How often the console reads QEMU's monitor while nobody talks to QEMU through it.
//
// QEMU writes each event with a `write` of its own: a guest retrying a failing disk (thousands of
// STOP/RESUME/BLOCK_IO_ERROR a second) would wake the console once per event or two, and the wake-ups,
// not the events, are most of what the storm costs it. While no command is pending or was sent lately,
// a read is followed by a pause of `pauseMs` before the next, so a storm is taken a few hundred reads a
// second, each with whatever QEMU wrote meanwhile: the console's CPU per event falls by about a third,
// for a millisecond or so more before a watcher sees an event (its events wait for the fan-out clock's
// interval anyway). A command ends the pause at once, and while a client talks to QEMU (a driver
// answering each STOP with `cont`, an operator typing) every read follows the last without delay.

/** The stream's reads can be stopped and restarted (a net.Socket read through `onread`). */
export interface PausableReads {
  pause(): void;
  resume(): void;
}

/** The pause after a read while nobody talks (a timer of 1 ms fires after 1–2). */
export const READ_PAUSE_MS = 1;
/**
 * A command sent (or answered) within this long means a client is talking to QEMU: reads are not
 * paused, and its events are not held for the fan-out clock's interval.
 */
export const TALKING_MS = 100;

export class ReadPacer {
  private lastCommandAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly reads: PausableReads,
    /** Commands sent and not answered yet. */
    private readonly pending: () => number,
    private readonly pauseMs = READ_PAUSE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** QEMU's bytes were just read (and handled). */
  afterRead(): void {
    if (this.timer !== null || this.pending() > 0 || this.now() - this.lastCommandAt < TALKING_MS) return;
    this.reads.pause();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.reads.resume();
    }, this.pauseMs);
  }

  /** A command is being written to QEMU: its reply is read as soon as it comes. */
  commandSent(): void {
    this.lastCommandAt = this.now();
    this.endPause();
  }

  /** The connection is gone: no timer outlives it. */
  stop(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private endPause(): void {
    if (this.timer === null) return;
    clearTimeout(this.timer);
    this.timer = null;
    this.reads.resume();
  }
}
