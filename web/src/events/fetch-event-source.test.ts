import { afterEach, describe, expect, it, vi } from 'vitest';
import { openJournalStream, type SseMessage } from '../api/event-stream.ts';
import { record } from '../test-support/fake-event-source.ts';
import { FetchEventSource, logEventSources } from './fetch-event-source.ts';
import { LogStream } from './log-stream.ts';

/** One HTTP answer whose body the test writes, chunk by chunk. */
function streamedAnswer(status = 200, type = 'text/event-stream; charset=utf-8') {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  const encoder = new TextEncoder();
  return {
    response: new Response(body, { status, headers: { 'content-type': type } }),
    write: (text: string | Uint8Array) =>
      controller.enqueue(typeof text === 'string' ? encoder.encode(text) : text),
    end: () => controller.close(),
  };
}

/** A fetch that hands out the answers the test queues, and records each request. */
function fakeFetch() {
  const answers: ReturnType<typeof streamedAnswer>[] = [];
  const requests: { url: string; headers: Record<string, string>; signal: AbortSignal }[] = [];
  const fn = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    requests.push({
      url: String(input),
      headers: { ...(init?.headers as Record<string, string>) },
      signal: init!.signal!,
    });
    const a = answers.shift();
    if (!a) throw new TypeError('Failed to fetch');
    return a.response;
  });
  return { fn: fn as unknown as typeof fetch, answers, requests };
}

function listen(es: FetchEventSource, ...types: string[]) {
  const seen: [string, SseMessage][] = [];
  for (const t of types) es.addEventListener(t, (e) => seen.push([t, e]));
  return seen;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('FetchEventSource (the EventSource protocol read with fetch)', () => {
  it('reads messages however the bytes are cut into chunks', async () => {
    const f = fakeFetch();
    const a = streamedAnswer();
    f.answers.push(a);
    const es = new FetchEventSource('/api/events/stream', f.fn);
    const seen = listen(es, 'open', 'qmp', 'message', 'alerts');
    await vi.waitFor(() => expect(es.readyState).toBe(1));
    expect(f.requests[0]).toMatchObject({
      url: '/api/events/stream',
      headers: { accept: 'text/event-stream' },
    });
    // A byte-order mark, a comment, a message split mid-line, CRLF split across chunks, a multibyte
    // character split across chunks, two data lines, a default-typed message.
    const bytes = new TextEncoder().encode('data: \u00e9t\u00e9\n\n');
    a.write('\ufeffretry: 2000\n: keepalive\n\nid: 7\nevent: alerts\nda');
    a.write('ta: {"alerts":[]}\r');
    a.write('\n\r\nid: 8\nevent: qmp\ndata: {"seq":8}\n\n');
    a.write('id: 9\nevent: qmp\ndata: line one\ndata:line two\n\n');
    a.write(bytes.slice(0, 8));
    a.write(bytes.slice(8));
    await vi.waitFor(() => expect(seen).toHaveLength(5));
    expect(seen.map(([t, e]) => [t, e.data, e.lastEventId])).toEqual([
      ['open', '', ''],
      ['alerts', '{"alerts":[]}', '7'],
      ['qmp', '{"seq":8}', '8'],
      ['qmp', 'line one\nline two', '9'],
      ['message', '\u00e9t\u00e9', '9'],
    ]);
    es.close();
    expect(f.requests[0]!.signal.aborted).toBe(true);
  });

  it('after a dropped connection reconnects by itself, after `retry:` ms, with Last-Event-ID', async () => {
    const f = fakeFetch();
    const first = streamedAnswer();
    const second = streamedAnswer();
    f.answers.push(first, second);
    const es = new FetchEventSource('/api/vms/vm1/events/stream', f.fn);
    const seen = listen(es, 'qmp', 'error');
    first.write('retry: 1\n\nid: 41\nevent: qmp\ndata: {"seq":41}\n\nid: 42\nevent: qmp\ndata: {"se');
    await vi.waitFor(() => expect(seen).toHaveLength(1));
    first.end();
    // The unfinished message is dropped; EventSource's CONNECTING state and an error say it retries.
    await vi.waitFor(() => expect(seen.map(([t]) => t)).toEqual(['qmp', 'error']));
    expect(es.readyState === 0 || es.readyState === 1).toBe(true);
    await vi.waitFor(() => expect(f.requests).toHaveLength(2));
    expect(f.requests[1]!.headers['last-event-id']).toBe('41');
    second.write('id: 42\nevent: qmp\ndata: {"seq":42}\n\n');
    await vi.waitFor(() => expect(seen).toHaveLength(3));
    expect(seen[2]![1]).toEqual({ data: '{"seq":42}', lastEventId: '42' });
    es.close();
  });

  it('gives up (CLOSED and an error) on an HTTP error or an answer that is not an event stream', async () => {
    for (const [status, type] of [
      [503, 'text/event-stream'],
      [200, 'application/json'],
    ] as const) {
      const f = fakeFetch();
      f.answers.push(streamedAnswer(status, type));
      const es = new FetchEventSource('/api/events/stream', f.fn);
      const seen = listen(es, 'open', 'error');
      await vi.waitFor(() => expect(seen.map(([t]) => t)).toEqual(['error']));
      expect(es.readyState).toBe(2);
      expect(f.requests).toHaveLength(1);
    }
  });

  it('feeds the journal stream: a refused connection is retried with the last id in the URL', async () => {
    const f = fakeFetch();
    const a = streamedAnswer();
    f.answers.push(a);
    const records: string[] = [];
    const statuses: string[] = [];
    const stream = openJournalStream(
      { vm: 'vm1', createEventSource: (url) => new FetchEventSource(url, f.fn), retryMs: 1 },
      { record: (json) => records.push(json), status: (s) => statuses.push(s) },
    );
    a.write('retry: 1\nid: 5\nevent: alerts\ndata: {"alerts":[]}\n\nid: 6\nevent: qmp\ndata: {"seq":6}\n\n');
    await vi.waitFor(() => expect(records).toEqual(['{"seq":6}']));
    // The console answers 503 now: EventSource gives up, the stream opens a new one with ?after=.
    f.answers.push(streamedAnswer(503));
    a.end();
    await vi.waitFor(() => expect(f.requests.length).toBeGreaterThanOrEqual(3));
    expect(f.requests[2]!.url).toBe('/api/vms/vm1/events/stream?after=6');
    expect(statuses).toContain('reconnecting');
    stream.close();
  });
});

describe('the event log', () => {
  it('reads its journal stream with fetch, not with one DOM event per record', async () => {
    const f = fakeFetch();
    const a = streamedAnswer();
    f.answers.push(a);
    vi.spyOn(globalThis, 'fetch').mockImplementation(f.fn);
    const created = vi.spyOn(logEventSources, 'create');
    const log = new LogStream({
      vm: 'vm1',
      since: null,
      until: null,
      fetchPage: async () => ({ events: [], next: null }),
      schedule: (fn) => {
        queueMicrotask(fn);
        return () => {};
      },
      minNotifyMs: 0,
    });
    log.start();
    await vi.waitFor(() => expect(f.requests).toHaveLength(1));
    expect(f.requests[0]!.url).toBe('/api/vms/vm1/events/stream');
    expect(created.mock.results[0]!.value).toBeInstanceOf(FetchEventSource);
    const r = record({ seq: 3, event: 'STOP' });
    a.write(`id: 2\nevent: alerts\ndata: {"alerts":[]}\n\nid: 3\nevent: qmp\ndata: ${JSON.stringify(r)}\n\n`);
    await vi.waitFor(() => expect(log.buffer.rows.map((row) => row.seq)).toEqual([3]));
    expect(log.getState().connection).toBe('live');
    log.close();
    expect(f.requests[0]!.signal.aborted).toBe(true);
  });
});
