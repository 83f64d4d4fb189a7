// A scriptable EventSource for tests: each `create` records a source the test then drives.
import { vi } from 'vitest';
import type { ConsoleStreamMessage } from '../../../protocol/api.ts';
import type { JournalAlert, JournalHealth, JournalRecord } from '../../../protocol/journal.ts';
import type { EventSourceLike, SseMessage } from '../api/event-stream.ts';
import { logEventSources } from '../events/fetch-event-source.ts';

type Listener = (e: SseMessage) => void;

export class FakeEventSource implements EventSourceLike {
  readyState = 0;
  private readonly listeners = new Map<string, Set<Listener>>();
  private lastEventId = '';

  constructor(readonly url: string) {}

  addEventListener(type: string, listener: Listener): void {
    let set = this.listeners.get(type);
    if (!set) {
      set = new Set();
      this.listeners.set(type, set);
    }
    set.add(listener);
  }

  close(): void {
    this.readyState = 2;
  }

  get closed(): boolean {
    return this.readyState === 2;
  }

  open(): void {
    this.readyState = 1;
    this.emit('open', '', undefined);
  }

  /** The first message of a connection. */
  snapshot(position: number, alerts: JournalAlert[] = []): void {
    if (this.readyState === 0) this.open();
    this.emit('alerts', JSON.stringify({ alerts }), String(position));
  }

  /** A console stream message (`GET /api/stream`): its SSE event is its type. */
  message(m: ConsoleStreamMessage, id?: string): void {
    if (this.readyState === 0) this.open();
    this.emit(m.type, JSON.stringify(m), id);
  }

  record(r: JournalRecord): void {
    this.emit('qmp', JSON.stringify(r), String(r.seq));
  }

  alert(a: JournalAlert): void {
    this.emit('alert', JSON.stringify(a), undefined);
  }

  /** A dropped connection EventSource retries by itself (`readyState` CONNECTING). */
  drop(): void {
    this.readyState = 0;
    this.emit('error', '', undefined);
  }

  /** A failure EventSource gives up on (`readyState` CLOSED). */
  fail(): void {
    this.readyState = 2;
    this.emit('error', '', undefined);
  }

  private emit(type: string, data: string, id: string | undefined): void {
    if (id !== undefined) this.lastEventId = id;
    const e: SseMessage = { data, lastEventId: this.lastEventId };
    for (const l of [...(this.listeners.get(type) ?? [])]) l(e);
  }
}

export function fakeEventSources() {
  const sources: FakeEventSource[] = [];
  return {
    sources,
    create: (url: string) => {
      const s = new FakeEventSource(url);
      sources.push(s);
      return s;
    },
    last(): FakeEventSource {
      const s = sources[sources.length - 1];
      if (!s) throw new Error('no EventSource was created');
      return s;
    },
  };
}

/**
 * Replaces the browser's EventSource (and the event log's, read with fetch) with fakes the test drives
 * (undo with vi.unstubAllGlobals and vi.restoreAllMocks).
 */
export function stubEventSources(): ReturnType<typeof fakeEventSources> {
  const sources = fakeEventSources();
  vi.spyOn(logEventSources, 'create').mockImplementation((url) => new EventSource(url));
  vi.stubGlobal(
    'EventSource',
    class extends FakeEventSource {
      constructor(url: string) {
        super(url);
        sources.sources.push(this);
      }
    },
  );
  return sources;
}

/** The open source at `url` (the app's console stream is `/api/stream`). */
export function sourceAt(sources: ReturnType<typeof fakeEventSources>, url: string): FakeEventSource {
  const s = sources.sources.findLast((x) => x.url === url && !x.closed);
  if (!s) throw new Error(`no open EventSource at ${url}: ${sources.sources.map((x) => x.url).join(', ')}`);
  return s;
}

let nextSeq = 1;
/** A journal record; `seq` defaults to a running number. */
export function record(partial: Partial<JournalRecord> & { event: string }): JournalRecord {
  const seq = partial.seq ?? nextSeq++;
  return {
    seq,
    vm: 'vm1',
    timestamp: { seconds: 1_790_000_000 + seq, microseconds: 123_456 },
    received: new Date((1_790_000_000 + seq) * 1000).toISOString(),
    ...partial,
  };
}

export function alert(partial: Partial<JournalAlert> = {}): JournalAlert {
  return {
    id: 1,
    vm: 'vm1',
    event: 'BLOCK_IO_ERROR',
    device: 'bad0',
    node: '#block163',
    operation: 'read',
    action: 'stop',
    reason: 'Input/output error',
    nospace: false,
    count: 1,
    first: '2026-11-26T13:00:00.000Z',
    last: '2026-11-26T13:00:00.000Z',
    firstSeq: 10,
    lastSeq: 10,
    state: 'open',
    ...partial,
  };
}

export const HEALTHY: JournalHealth = {
  ok: true,
  error: null,
  failingSince: null,
  backlog: 0,
  lost: 0,
  auditBacklog: 0,
  auditLost: 0,
};
