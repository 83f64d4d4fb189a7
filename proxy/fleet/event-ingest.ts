// Fleet side: the hosts' events from the JetStream stream into the fleet's own journal, through a
// durable consumer. Why a local journal and not replays from JetStream: the console's event API filters
// by VM, event name and time, pages both ways and streams with Last-Event-ID, which the journal already
// does (and keeps alerts); the stream stays a bounded buffer; and the durable consumer remembers where
// the fleet stopped, so a restarted fleet console resumes there.
//
// Exactly once per host seq: a message is acknowledged only after its record is committed here and the
// host's cursor (the last host seq ingested) is saved beside the journal; a redelivered or republished
// message at or below the cursor is dropped. Each message names the host's previous published seq
// (`Qmp-Prev-Seq`); one that arrives before its predecessor (a reconnect flushed a buffered publish
// ahead of a retried one) is held until the predecessor comes, or `gapWaitMs` passes (the host's
// journal pruned it before it could be published).
import {
  AckPolicy,
  DeliverPolicy,
  type JetStreamClient,
  type JsMsg,
  jetstreamManager,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/transport-node';
import type { JournalRecord } from '../../protocol/journal.ts';
import type { Journal } from '../journal/journal.ts';
import { log } from '../log.ts';
import type { CursorTable } from '../nats/cursor-table.ts';
import { EVENT_STREAM, fleetName, fromToken, PREV_SEQ_HEADER, token } from '../nats/subjects.ts';

export interface IngestedEvent {
  /** `VM@HOST`. */
  name: string;
  host: string;
  record: JournalRecord;
}

/** What the ingest needs of a JetStream message. */
export type EventMessage = Pick<JsMsg, 'subject' | 'headers' | 'json' | 'ack' | 'term'>;

interface Held {
  msg: EventMessage;
  record: JournalRecord;
  prev: number;
  since: number;
}

const CURSOR_PREFIX = 'host:';

/** What a host publishes, checked before anything of it is kept: NATS carries whatever it is given. */
function isJournalRecord(r: unknown): r is JournalRecord {
  if (typeof r !== 'object' || r === null) return false;
  const v = r as Record<string, unknown>;
  const ts = v.timestamp as Record<string, unknown> | null | undefined;
  return (
    Number.isSafeInteger(v.seq) &&
    (v.seq as number) > 0 &&
    typeof v.vm === 'string' &&
    typeof v.event === 'string' &&
    (v.data === undefined || (typeof v.data === 'object' && v.data !== null && !Array.isArray(v.data))) &&
    typeof ts === 'object' &&
    ts !== null &&
    Number.isInteger(ts.seconds) &&
    Number.isInteger(ts.microseconds)
  );
}

export class EventIngest {
  /** The last host seq given to the journal (what the next message is checked against). */
  private readonly cursors: Map<string, number>;
  /** The last host seq the journal has committed: what is saved, and what replies wait for. */
  private readonly committed: Map<string, number>;
  private readonly held = new Map<string, Map<number, Held>>();
  private readonly dirty = new Set<string>();
  private readonly toAck: EventMessage[] = [];
  private persistQueued = false;
  private consuming = false;
  private closed = false;
  private stopConsume: (() => void) | null = null;
  private readonly liveListeners = new Set<(e: IngestedEvent) => void>();
  private readonly waiters: { host: string; seq: number; run: () => void; timer: NodeJS.Timeout }[] = [];
  private readonly gapTimer: NodeJS.Timeout;

  constructor(
    private readonly fleet: string,
    private readonly journal: Journal,
    private readonly table: CursorTable,
    private readonly opts: { gapWaitMs?: number; replyWaitMs?: number } = {},
  ) {
    this.cursors = table.withPrefix(CURSOR_PREFIX);
    this.committed = new Map(this.cursors);
    this.gapTimer = setInterval(() => this.giveUpOnGaps(), 1000);
    this.gapTimer.unref();
  }

  /** The last seq of `host` this fleet has journaled (committed). */
  committedSeq(host: string): number {
    return this.committed.get(host) ?? 0;
  }

  private cursor(host: string): number {
    return this.cursors.get(host) ?? 0;
  }

  /** Each event once it is committed here, in the fleet journal's order. */
  onEvent(listener: (e: IngestedEvent) => void): () => void {
    this.liveListeners.add(listener);
    return () => this.liveListeners.delete(listener);
  }

  /** Runs `run` once the host's events up to `seq` are here (a reply waits for the events before it), or after a while. */
  whenCaughtUp(host: string, seq: number, run: () => void): void {
    if (this.committedSeq(host) >= seq) {
      run();
      return;
    }
    const waiter = {
      host,
      seq,
      run,
      timer: setTimeout(() => {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        run();
      }, this.opts.replyWaitMs ?? 2000),
    };
    this.waiters.push(waiter);
  }

  /** Consumes from the stream until the connection closes; called again after each reconnect. */
  async start(nc: NatsConnection, js: JetStreamClient): Promise<void> {
    if (this.consuming || this.closed) return;
    this.consuming = true;
    try {
      const durable = `fleet_${token(this.fleet).replace(/[^A-Za-z0-9_-]/g, '_')}`;
      const jsm = await jetstreamManager(nc, { timeout: 5000 });
      await jsm.consumers.add(EVENT_STREAM, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: nanos(30_000),
        max_ack_pending: 20_000,
      });
      const consumer = await js.consumers.get(EVENT_STREAM, durable);
      const messages = await consumer.consume({ max_messages: 2000 });
      this.stopConsume = () => messages.stop();
      for await (const m of messages) {
        this.receive(m);
      }
    } catch (err) {
      if (!this.closed) log.warn('fleet event consumer stopped', { error: String(err) });
    } finally {
      this.consuming = false;
      this.stopConsume = null;
    }
  }

  stop(): void {
    this.closed = true;
    clearInterval(this.gapTimer);
    this.stopConsume?.();
    // Commit what is queued and save the cursors now, while the database is open.
    this.journal.flush();
    this.persist();
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.run();
    }
  }

  /** One message from the stream: journaled (in its host's order), held, or dropped as a repeat. */
  receive(m: EventMessage): void {
    try {
      this.handle(m);
    } catch (err) {
      log.warn('dropping a malformed fleet event', { subject: m.subject, error: String(err) });
      m.term();
    }
  }

  private handle(m: EventMessage): void {
    // qmp.events.HOST.VM.EVENT
    const parts = m.subject.split('.');
    if (parts.length !== 5) throw new Error('not a qmp.events.HOST.VM.EVENT subject');
    const host = fromToken(parts[2]!);
    const record = m.json<JournalRecord>();
    if (!isJournalRecord(record)) throw new Error('not a journal record');
    const prev = Number(m.headers?.get(PREV_SEQ_HEADER) ?? Number.NaN);
    const cursor = this.cursor(host);
    if (record.seq <= cursor) {
      m.ack();
      return;
    }
    // In order (or a host this fleet has never seen): ingest; else wait for what comes before it.
    if (!this.cursors.has(host) || !Number.isFinite(prev) || prev <= cursor) {
      this.ingest(host, m, record);
      this.drainHeld(host);
      return;
    }
    let held = this.held.get(host);
    if (!held) {
      held = new Map();
      this.held.set(host, held);
    }
    if (!held.has(prev)) held.set(prev, { msg: m, record, prev, since: Date.now() });
  }

  private drainHeld(host: string): void {
    const held = this.held.get(host);
    if (!held) return;
    for (;;) {
      const cursor = this.cursor(host);
      for (const [prev, h] of held)
        if (h.record.seq <= cursor) {
          h.msg.ack();
          held.delete(prev);
        }
      const next = [...held.values()].find((h) => h.prev <= cursor);
      if (!next) break;
      held.delete(next.prev);
      this.ingest(host, next.msg, next.record);
    }
  }

  private giveUpOnGaps(): void {
    const waitMs = this.opts.gapWaitMs ?? 15_000;
    for (const [host, held] of this.held) {
      if (held.size === 0) continue;
      const oldest = [...held.values()].sort((a, b) => a.prev - b.prev)[0]!;
      if (Date.now() - oldest.since < waitMs) continue;
      log.warn('a host seq never arrived; going on without it', {
        host,
        after: this.cursor(host),
        next: oldest.record.seq,
      });
      held.delete(oldest.prev);
      this.ingest(host, oldest.msg, oldest.record);
      this.drainHeld(host);
    }
  }

  private ingest(host: string, m: EventMessage, record: JournalRecord): void {
    const name = record.vm === '' ? `@${host}` : fleetName(record.vm, host);
    this.cursors.set(host, record.seq);
    this.journal.append(
      name,
      record.event,
      record.data,
      record.timestamp,
      record.source === 'console' ? 'console' : 'qemu',
      () => {
        this.committed.set(host, record.seq);
        this.dirty.add(host);
        this.toAck.push(m);
        this.queuePersist();
        const e = { name, host, record };
        for (const l of this.liveListeners) l(e);
      },
    );
  }

  /** Once per journal batch: save the cursors, then acknowledge what they cover. */
  private queuePersist(): void {
    if (this.persistQueued) return;
    this.persistQueued = true;
    queueMicrotask(() => this.persist());
  }

  private persist(): void {
    this.persistQueued = false;
    try {
      for (const host of this.dirty) this.table.set(CURSOR_PREFIX + host, this.committedSeq(host));
    } catch (err) {
      // Unacknowledged, the messages come again and are journaled again: better than lost.
      log.error('cannot save the fleet cursors; NATS will redeliver', { error: String(err) });
      this.toAck.length = 0;
      return;
    }
    this.dirty.clear();
    for (const m of this.toAck.splice(0)) m.ack();
    for (let i = this.waiters.length - 1; i >= 0; i--) {
      const w = this.waiters[i]!;
      if (this.committedSeq(w.host) >= w.seq) {
        this.waiters.splice(i, 1);
        clearTimeout(w.timer);
        w.run();
      }
    }
  }
}
