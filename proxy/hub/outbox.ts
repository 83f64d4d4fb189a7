// The proxy's one ordering primitive: messages leave in the order their places were taken, whenever
// each becomes ready. One per VM (QEMU's events wait for the journal; a reply QEMU sent after an event
// must not overtake it) and one per client (its replies in the order of its commands, whichever QEMU
// or the proxy answers first).

export interface OutboxBound<T> {
  /** Ready items held behind one that is not may take at most this many bytes. */
  maxBytes: number;
  size: (item: T) => number;
  /** Called once when the bound is passed; the items stay (the owner closes). */
  onOverflow: (heldBytes: number) => void;
}

interface Place<T> {
  item: T | undefined;
  ready: boolean;
}

export class Outbox<T> {
  private readonly places: Place<T>[] = [];
  private head = 0;
  private heldBytes = 0;
  private releasing = false;
  private overflowed = false;
  /** Bumped by clear(): places taken before it are forgotten, even when filled later. */
  private epoch = 0;

  constructor(
    private readonly release: (item: T) => void,
    private readonly bound: OutboxBound<T> | null = null,
  ) {}

  /** Places taken and not yet released. */
  get waiting(): number {
    return this.places.length - this.head;
  }

  /** Sends `item` now, or after every place taken before it has been released. */
  push(item: T): void {
    if (this.waiting === 0 && !this.releasing) {
      // Nothing ahead: out at once (the common case, no bookkeeping).
      this.releasing = true;
      try {
        this.release(item);
      } finally {
        this.releasing = false;
      }
      this.drain();
      return;
    }
    const place: Place<T> = { item, ready: true };
    this.places.push(place);
    this.hold(item);
    this.drain();
  }

  /** Takes the next place; the returned function fills it (once; later calls are ignored). */
  reserve(): (item: T) => void {
    const place: Place<T> = { item: undefined, ready: false };
    this.places.push(place);
    const epoch = this.epoch;
    return (item) => {
      if (place.ready || epoch !== this.epoch) return;
      place.item = item;
      place.ready = true;
      this.hold(item);
      this.drain();
    };
  }

  /** Forgets every waiting place (their owner is gone). */
  clear(): void {
    this.epoch++;
    this.places.length = 0;
    this.head = 0;
    this.heldBytes = 0;
  }

  private hold(item: T): void {
    if (this.bound) this.heldBytes += this.bound.size(item);
  }

  private drain(): void {
    // A release that pushes again (a reply handler sending the next command) joins the loop below.
    if (this.releasing) return;
    this.releasing = true;
    try {
      while (this.head < this.places.length && this.places[this.head]!.ready) {
        const place = this.places[this.head++]!;
        const item = place.item as T;
        place.item = undefined;
        if (this.bound) this.heldBytes -= this.bound.size(item);
        this.release(item);
      }
    } finally {
      this.releasing = false;
      if (this.head === this.places.length) {
        this.places.length = 0;
        this.head = 0;
      } else if (this.head > 1024) {
        this.places.splice(0, this.head);
        this.head = 0;
      }
    }
    if (this.bound && !this.overflowed && this.heldBytes > this.bound.maxBytes) {
      this.overflowed = true;
      this.bound.onOverflow(this.heldBytes);
    }
  }
}
