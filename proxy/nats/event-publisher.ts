// Host side: every journaled record to the JetStream stream, in seq order, at least once, and never
// stored twice. The cursor is the last seq the stream acknowledged, kept in the console's own SQLite
// file; after a NATS outage (or a restart) publishing resumes after it. A record published twice (its
// ack was lost with the connection) carries the same `Nats-Msg-Id` (HOST:SEQ) and the stream drops it;
// each message also names the previous record published (`Qmp-Prev-Seq`), so the fleet can put a
// host's records back in order if a reconnect replays a buffered publish ahead of a retried one.
import type { JetStreamClient } from '@nats-io/jetstream';
import { headers } from '@nats-io/transport-node';
import type { Journal } from '../journal/journal.ts';
import { recordJson } from '../journal/journal.ts';
import { log } from '../log.ts';
import type { CursorTable } from './cursor-table.ts';
import { eventSubject, msgId, PREV_SEQ_HEADER } from './subjects.ts';

export interface EventPublisherOptions {
  /** Publishes in flight at once (default 256). */
  window?: number;
  /** How long one publish waits for the stream's ack (default 2000 ms). */
  ackTimeoutMs?: number;
  retryMaxMs?: number;
}

export const PUBLISHED_CURSOR = 'published';

export class EventPublisher {
  private acked: number;
  private running = false;
  private wake: (() => void) | null = null;
  private readonly unsubscribe: () => void;
  private readonly opts: Required<EventPublisherOptions>;
  private readonly ackedListeners = new Set<(seq: number) => void>();
  private stopped: Promise<void> = Promise.resolve();

  constructor(
    private readonly host: string,
    private readonly journal: Journal,
    private readonly cursors: CursorTable,
    private readonly js: () => JetStreamClient | null,
    options: EventPublisherOptions = {},
  ) {
    this.opts = { window: 256, ackTimeoutMs: 2000, retryMaxMs: 2000, ...options };
    this.acked = cursors.get(PUBLISHED_CURSOR);
    this.unsubscribe = journal.subscribe({ records: () => this.poke(), alert: () => {} });
  }

  /** The last seq the stream has acknowledged. */
  get ackedSeq(): number {
    return this.acked;
  }

  onAcked(listener: (seq: number) => void): () => void {
    this.ackedListeners.add(listener);
    return () => this.ackedListeners.delete(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopped = this.loop();
  }

  /**
   * A clean stop publishes what is journaled (the VMs' last CONSOLE_DISCONNECTED) if NATS takes it
   * within `timeoutMs`; what it does not take is published at the next start.
   */
  async drain(timeoutMs: number): Promise<void> {
    this.journal.flush();
    const target = this.journal.headSeq;
    if (this.acked >= target || !this.js()) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      const off = this.onAcked((seq) => {
        if (seq >= target) done();
      });
      function done() {
        clearTimeout(timer);
        off();
        resolve();
      }
      this.poke();
    });
  }

  async stop(): Promise<void> {
    this.running = false;
    this.unsubscribe();
    this.poke();
    await this.stopped;
  }

  /** Something new was journaled, or NATS is back: publish now. */
  poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private sleep(ms: number | null): Promise<void> {
    return new Promise((resolve) => {
      const timer = ms === null ? null : setTimeout(() => this.poke(), ms);
      this.wake = () => {
        if (timer) clearTimeout(timer);
        resolve();
      };
    });
  }

  private async loop(): Promise<void> {
    let retryMs = 50;
    while (this.running) {
      const js = this.js();
      const rows = js ? this.journal.readAfter(this.acked, {}, this.opts.window) : [];
      if (!js || rows.length === 0) {
        // Woken by the journal, by a reconnect, or by the periodic look for what a reconnect missed.
        await this.sleep(js ? 1000 : 250);
        continue;
      }
      let prev = this.acked;
      const results = await Promise.allSettled(
        rows.map((r) => {
          const h = headers();
          h.set(PREV_SEQ_HEADER, String(prev));
          prev = r.seq;
          return js.publish(eventSubject(this.host, r.vm, r.event), recordJson(r), {
            msgID: msgId(this.host, r.seq),
            headers: h,
            timeout: this.opts.ackTimeoutMs,
          });
        }),
      );
      let advanced = this.acked;
      for (const [i, result] of results.entries()) {
        if (result.status !== 'fulfilled') break;
        advanced = rows[i]!.seq;
      }
      if (advanced > this.acked) {
        this.acked = advanced;
        this.cursors.set(PUBLISHED_CURSOR, advanced);
        for (const l of this.ackedListeners) l(advanced);
      }
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) {
        log.warn('publishing events to NATS failed; retrying', {
          after: this.acked,
          error: String((failed as PromiseRejectedResult).reason),
        });
        await this.sleep(retryMs);
        retryMs = Math.min(retryMs * 2, this.opts.retryMaxMs);
      } else {
        retryMs = 50;
      }
    }
  }
}
