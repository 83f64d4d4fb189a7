// `GET /api/stream` over a real journal: the snapshot, alert changes, journal health, reconnects.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsoleStreamMessage, VmSummary } from '../../protocol/api.ts';
import { Hub } from '../hub/hub.ts';
import { Journal } from '../journal/journal.ts';
import { JournalStore } from '../journal/journal-store.ts';
import { connectSse, type SseClient } from '../test-support/sse-client.ts';
import { type ConsoleStream, createConsoleStream } from './console-stream.ts';

let dir: string;
let journal: Journal;
let hub: Hub;
let stream: ConsoleStream;
let server: http.Server;
let url: string;
const clients: SseClient[] = [];

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'console-stream-'));
  journal = new Journal(JournalStore.open(path.join(dir, 'journal.sqlite')), {
    retryInitialMs: 5,
    retryMaxMs: 10,
  });
  // A VM whose socket does not exist: it stays disconnected, with no run state.
  hub = new Hub([{ name: 'vm1', address: { kind: 'unix', path: path.join(dir, 'none.sock') } }], {
    session: { maxInFlight: 10, maxBufferedBytes: 1 << 20 },
    eventSink: journal.sink,
  });
  stream = createConsoleStream(hub, journal, { healthIntervalMs: 0, maxBufferedBytes: 64 * 1024 });
  server = http.createServer((req, res) => stream.open(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/stream`;
});

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  stream.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await hub.stop();
  journal.close();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(): Promise<SseClient> {
  const c = await connectSse(url);
  clients.push(c);
  return c;
}

const message = (m: { data: string }) => JSON.parse(m.data) as ConsoleStreamMessage;
const ofType =
  <T extends ConsoleStreamMessage['type']>(
    type: T,
    test: (m: ConsoleStreamMessage & { type: T }) => boolean,
  ) =>
  (m: { event: string; data: string }) =>
    m.event === type && test(message(m) as ConsoleStreamMessage & { type: T });

function ioError(reason = 'Input/output error'): void {
  journal.sink(
    'vm1',
    {
      event: 'BLOCK_IO_ERROR',
      data: { device: 'bad0', operation: 'read', action: 'stop', reason },
      timestamp: { seconds: 1_700_000_000, microseconds: 0 },
    },
    '',
    () => {},
  );
}

describe('GET /api/stream', () => {
  it('starts with a snapshot of the VMs, the open alerts and the journal', async () => {
    ioError();
    journal.flush();
    const c = await connect();
    expect(c.headers['content-type']).toMatch(/^text\/event-stream/);
    const first = message(await c.waitFor(() => true));
    expect(first).toMatchObject({
      type: 'snapshot',
      vms: [{ name: 'vm1', runState: null }],
      alerts: [{ vm: 'vm1', event: 'BLOCK_IO_ERROR', device: 'bad0', count: 1, state: 'open' }],
      journal: { ok: true, backlog: 0 },
    });
  });

  it('pushes VM changes, alert changes under their own type, and a fresh snapshot on reconnect', async () => {
    const c = await connect();
    await c.waitFor((m) => m.event === 'snapshot');
    hub.start();
    const vm = message(await c.waitFor(ofType('vm', (m) => m.vm.state === 'disconnected')));
    expect(vm).toMatchObject({
      vm: { name: 'vm1', runState: null, error: expect.stringMatching(/no such socket/) },
    });

    ioError();
    const opened = message(await c.waitFor(ofType('alert', (m) => m.alert.count === 1)));
    expect(opened).toMatchObject({ alert: { event: 'BLOCK_IO_ERROR', state: 'open' } });
    ioError();
    await c.waitFor(ofType('alert', (m) => m.alert.count === 2));
    if (opened.type !== 'alert') throw new Error('unreachable');
    journal.acknowledge(opened.alert.id, 'tester');
    await c.waitFor(
      ofType('alert', (m) => m.alert.state === 'acknowledged' && m.alert.acknowledgedBy === 'tester'),
    );

    // EventSource reconnects: the first message is again the whole state, acknowledged alert gone.
    c.close();
    const again = await connect();
    const snap = message(await again.waitFor(() => true));
    expect(snap).toMatchObject({ type: 'snapshot', alerts: [], vms: [{ state: 'disconnected' }] });
  });

  it("tells when the journal's writes fail and when they recover", async () => {
    const c = await connect();
    await c.waitFor((m) => m.event === 'snapshot');
    const pages = journal.store.db.pragma('page_count', { simple: true }) as number;
    journal.store.db.pragma(`max_page_count = ${pages}`);
    for (let i = 0; i < 200; i++) ioError(`${i}`.padEnd(300, '.'));
    const failing = message(await c.waitFor(ofType('journal', (m) => !m.journal.ok)));
    expect(failing).toMatchObject({ journal: { ok: false, error: expect.stringMatching(/disk is full/) } });
    journal.store.db.pragma('max_page_count = 1073741823');
    await c.waitFor(ofType('journal', (m) => m.journal.ok && m.journal.backlog === 0));
  });

  it('drops what a client that stopped reading missed, and sends it one fresh snapshot when it reads again', async () => {
    // A hub whose one VM changes often, each change a large summary: megabytes without QEMU or SQLite.
    const listeners = new Set<(s: VmSummary) => void>();
    let current: VmSummary = { ...hub.summaries()[0]!, error: 'start' };
    const busyHub = {
      summaries: () => [current],
      onSummary: (l: (s: VmSummary) => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    } as unknown as Hub;
    stream.close();
    // Every change written as it comes (none coalesced), so the client falls behind.
    stream = createConsoleStream(busyHub, journal, { maxBufferedBytes: 64 * 1024, coalesceMs: 0 });
    const c = await connect();
    await c.waitFor((m) => m.event === 'snapshot');
    c.pause();
    for (let i = 0; i < 400; i++) {
      current = { ...current, error: `${i} `.padEnd(20_000, '.') };
      for (const l of listeners) l(current);
    }
    c.resume();
    await c.waitFor((m, all) => m.event === 'snapshot' && all.indexOf(m) > 0);
    expect(c.messages.filter((m) => m.event === 'vm').length).toBeLessThan(400);
    // The snapshot is the state after the last change.
    const last = message(c.messages.findLast((m) => m.event === 'snapshot')!);
    expect(last.type === 'snapshot' && last.vms[0]!.error).toMatch(/^399 /);
  });

  it("writes a VM's changes that come faster than coalesceMs as its newest state, and an alert's repeats likewise", async () => {
    const listeners = new Set<(s: VmSummary) => void>();
    let current: VmSummary = { ...hub.summaries()[0]!, error: 'start' };
    const flappingHub = {
      summaries: () => [current],
      onSummary: (l: (s: VmSummary) => void) => {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    } as unknown as Hub;
    stream.close();
    stream = createConsoleStream(flappingHub, journal, { coalesceMs: 200 });
    const c = await connect();
    await c.waitFor((m) => m.event === 'snapshot');
    for (let i = 0; i < 100; i++) {
      current = { ...current, error: `flip ${i}` };
      for (const l of listeners) l(current);
      ioError();
    }
    await c.waitFor(ofType('vm', (m) => m.vm.error === 'flip 99'));
    await c.waitFor(ofType('alert', (m) => m.alert.count === 100));
    const vms = c.messages.filter((m) => m.event === 'vm').map((m) => message(m));
    const alerts = c.messages.filter((m) => m.event === 'alert');
    // The first change at once, the rest as few writes of the newest state, in order.
    const errors = vms.map((m) => (m.type === 'vm' ? m.vm.error : null));
    expect(errors[0]).toBe('flip 0');
    expect(errors.at(-1)).toBe('flip 99');
    expect(errors.length).toBeLessThan(10);
    const counts = errors.map((e) => Number(e?.slice(5)));
    expect(counts).toEqual([...counts].sort((a, b) => a - b));
    expect(alerts.length).toBeLessThan(10);
  });
});
