// Journal replays and exports run in slices (a page read from SQLite and written to a socket, a few
// milliseconds each), taken in turn from every stream that has one ready. Back to back, a few hundred
// streams replaying a large journal would keep the event loop from an operator's command frame and
// QEMU's reply for seconds; here slices run for at most `budgetMs` per turn of the event loop, and the
// I/O that arrived meanwhile goes before the next ones. A turn that took long is followed by a rest as
// long (`restRatio`): replays use at most about half of a CPU, so on a busy machine the console (and
// QEMU) are not the ones that wait for the scheduler when an operator's command comes in.
import { log } from '../log.ts';

export class SliceScheduler {
  private waiting: (() => void)[] = [];
  private head = 0;
  private scheduled = false;

  constructor(
    private readonly budgetMs = 4,
    private readonly restRatio = 1,
  ) {}

  /** Slices waiting for their turn. */
  get pending(): number {
    return this.waiting.length - this.head;
  }

  /** Runs `slice` in a later turn of the event loop, after the slices asked for before it. */
  later(slice: () => void): void {
    this.waiting.push(slice);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.run);
    }
  }

  private readonly run = (): void => {
    this.scheduled = false;
    const started = performance.now();
    const until = started + this.budgetMs;
    // Only what was waiting when the turn began: a slice that asks for its next one goes to the back.
    const end = this.waiting.length;
    while (this.head < end) {
      const slice = this.waiting[this.head]!;
      this.waiting[this.head++] = noop;
      try {
        slice();
      } catch (err) {
        log.error('journal stream slice failed', { error: String(err) });
      }
      if (performance.now() >= until) break;
    }
    if (this.head === this.waiting.length) {
      this.waiting = [];
      this.head = 0;
    } else if (this.head > 1024) {
      this.waiting = this.waiting.slice(this.head);
      this.head = 0;
    }
    if (this.pending > 0 && !this.scheduled) {
      this.scheduled = true;
      const rest = (performance.now() - started) * this.restRatio;
      if (rest < 1) setImmediate(this.run);
      else setTimeout(this.run, rest);
    }
  };
}

const noop = () => {};

/** The console's one scheduler: every stream and export shares the event loop's turns. */
export const journalSlices = new SliceScheduler();
