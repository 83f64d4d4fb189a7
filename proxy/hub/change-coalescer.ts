// State changes that clients get as the newest state, not one message per change: a failing disk
// bumps its alert's count with every batch of a storm, and its VM's run state flips with every STOP
// and RESUME. The first change after a quiet spell leaves at once; later ones within `intervalMs` of
// the last release wait and leave together, each key's newest value, in the order the keys first
// changed.

export class ChangeCoalescer<K, V> {
  private readonly held = new Map<K, V>();
  private timer: NodeJS.Timeout | null = null;
  private lastReleaseAt = Number.NEGATIVE_INFINITY;

  constructor(
    /** 0: every change leaves at once. */
    private readonly intervalMs: number,
    private readonly release: (values: V[]) => void,
  ) {}

  change(key: K, value: V): void {
    this.held.set(key, value);
    if (this.timer !== null) return;
    const wait = this.lastReleaseAt + this.intervalMs - Date.now();
    if (wait <= 0) this.releaseHeld();
    else this.timer = setTimeout(() => this.releaseHeld(), wait);
  }

  /** Drops what is held (the stream closed). */
  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.held.clear();
  }

  private releaseHeld(): void {
    this.timer = null;
    this.lastReleaseAt = Date.now();
    if (this.held.size === 0) return;
    const values = [...this.held.values()];
    this.held.clear();
    this.release(values);
  }
}
