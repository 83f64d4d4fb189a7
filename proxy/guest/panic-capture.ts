// A screenshot of the moment a guest panicked: when GUEST_PANICKED or GUEST_CRASHLOADED is journaled, the
// console dumps the screen (with `-action panic=pause` the guest stopped on it) and keeps the PNG in the
// data dir under the event's sequence number, which the alert (firstSeq, lastSeq) and the journal entry
// (seq) both carry: `GET /api/events/SEQ/screen.png`.
import { mkdirSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Alert } from '../journal/alert-book.ts';
import type { JournalSubscriber } from '../journal/journal.ts';
import type { EventRow } from '../journal/journal-store.ts';
import { log } from '../log.ts';
import type { ScreenShot } from './screen-capture.ts';

export const PANIC_EVENTS: ReadonlySet<string> = new Set(['GUEST_PANICKED', 'GUEST_CRASHLOADED']);

export interface PanicCaptureOptions {
  /** `DATA_DIR/screenshots`: created 0700, files 0600. */
  dir: string;
  dump(vm: string): Promise<ScreenShot>;
  /** Screenshots kept; the oldest go first (default 200). */
  keep?: number;
}

export type EventScreen = { png: Buffer } | { missing: string };

export class PanicCapture implements JournalSubscriber {
  private readonly pending = new Map<number, Promise<void>>();
  /** Why an event's screenshot could not be taken (no display, QEMU gone), kept for the route. */
  private readonly failures = new Map<number, string>();
  private readonly keep: number;

  constructor(private readonly options: PanicCaptureOptions) {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    this.keep = options.keep ?? 200;
  }

  /** Journal subscriber: called synchronously after the commit, before any client can ask for the PNG. */
  records(rows: EventRow[]): void {
    for (const row of rows) {
      if (row.source !== 'qemu' || !PANIC_EVENTS.has(row.event)) continue;
      const seq = row.seq;
      const job = this.capture(row.vm, seq).finally(() => this.pending.delete(seq));
      this.pending.set(seq, job);
    }
  }

  alert(_alert: Alert): void {}

  /** The event's screenshot, waiting for one still being taken. */
  async screen(seq: number): Promise<EventScreen> {
    await this.pending.get(seq);
    const failure = this.failures.get(seq);
    try {
      return { png: await readFile(this.file(seq)) };
    } catch {
      return { missing: failure ?? `no screenshot was taken for event ${seq}` };
    }
  }

  /** Screenshots being taken now (tests wait for them). */
  settled(): Promise<void> {
    return Promise.all(this.pending.values()).then(() => {});
  }

  private async capture(vm: string, seq: number): Promise<void> {
    try {
      const shot = await this.options.dump(vm);
      await writeFile(this.file(seq), shot.png, { mode: 0o600 });
      await this.prune();
    } catch (err) {
      this.failures.set(seq, `no screenshot: ${(err as Error).message}`);
      if (this.failures.size > this.keep) this.failures.delete(this.failures.keys().next().value!);
      log.warn('panic screenshot failed', { vm, seq, error: String(err) });
    }
  }

  private file(seq: number): string {
    return path.join(this.options.dir, `event-${seq}.png`);
  }

  private async prune(): Promise<void> {
    const seqs = (await readdir(this.options.dir))
      .map((f) => /^event-(\d+)\.png$/.exec(f)?.[1])
      .filter((s): s is string => s !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    for (const seq of seqs.slice(0, Math.max(0, seqs.length - this.keep)))
      await rm(this.file(seq), { force: true });
  }
}
