import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type {
  AlertList,
  AuditList,
  JournalAlert,
  JournalPage,
  JournalRecord,
  JournalStatus,
} from '../../protocol/journal.ts';
import type { JsonObject } from '../../protocol/qmp.ts';
import type { EventStreamOptions } from '../journal/event-stream.ts';
import { Journal } from '../journal/journal.ts';
import { JournalStore } from '../journal/journal-store.ts';
import { eventually } from '../test-support/eventually.ts';
import { failingReadData } from '../test-support/qmp-events.ts';
import { connectSse, type SseClient } from '../test-support/sse-client.ts';
import { createJournalRoutes, type JournalRequestContext, type JournalRoutes } from './journal-routes.ts';

let dir: string;
let journal: Journal;
let routes: JournalRoutes;
let server: http.Server;
let base: string;
let role: JournalRequestContext['role'] = 'operator';
const sseClients: SseClient[] = [];

async function start(stream: Partial<EventStreamOptions> = {}): Promise<void> {
  journal = new Journal(JournalStore.open(path.join(dir, 'journal.sqlite')));
  routes = createJournalRoutes({ journal, vmExists: (n) => n === 'a' || n === 'b', stream });
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (!routes.handle(req, res, url, { role, actor: `${role}@test` })) res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'journal-routes-'));
  role = 'operator';
});
afterEach(async () => {
  for (const c of sseClients.splice(0)) c.close();
  routes.close();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  journal.close();
  rmSync(dir, { recursive: true, force: true });
});

const tick = () => new Promise<void>((r) => setImmediate(r));
let usec = 0;
function emit(vm: string, event: string, data?: JsonObject): void {
  usec++;
  journal.sink(
    vm,
    { event, ...(data ? { data } : {}), timestamp: { seconds: 1_700_000_000, microseconds: usec } },
    '',
    () => {},
  );
}
async function emitMany(n: number, vm = 'a'): Promise<void> {
  for (let i = 0; i < n; i++) emit(i % 3 === 2 ? 'b' : vm, i % 2 ? 'RESUME' : 'STOP');
  await tick();
}
const ioError = (vm = 'a') => emit(vm, 'BLOCK_IO_ERROR', { ...failingReadData });

async function get<T>(
  p: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: T; type: string }> {
  const res = await fetch(base + p, { headers });
  const text = await res.text();
  const type = res.headers.get('content-type') ?? '';
  return {
    status: res.status,
    body: (type.includes('json') && !type.includes('ndjson') ? JSON.parse(text) : text) as T,
    type,
  };
}

async function sse(p: string, headers: Record<string, string> = {}): Promise<SseClient> {
  const c = await connectSse(base + p, headers);
  sseClients.push(c);
  return c;
}

const seqsOf = (c: SseClient) => c.messages.filter((m) => m.event === 'qmp').map((m) => Number(m.id));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('GET /api/events', () => {
  beforeEach(() => start());

  it('pages newest first with a cursor, records in QMP shape', async () => {
    await emitMany(250);
    const p1 = await get<JournalPage>('/api/events');
    expect(p1.status).toBe(200);
    expect(p1.body.events).toHaveLength(100);
    expect(p1.body.events[0]).toEqual({
      seq: 250,
      vm: 'a',
      event: 'RESUME',
      timestamp: { seconds: 1_700_000_000, microseconds: expect.any(Number) },
      received: expect.any(String),
    } satisfies JournalRecord);
    expect(p1.body.next).toBe(151);
    const p2 = await get<JournalPage>(`/api/events?before=${p1.body.next}`);
    const p3 = await get<JournalPage>(`/api/events?before=${p2.body.next}`);
    expect(p3.body.events.map((e) => e.seq)).toEqual(range(1, 50).reverse());
    expect(p3.body.next).toBeNull();
  });

  it('ascending with after, limit, event filters, per VM', async () => {
    await emitMany(30);
    ioError('b');
    await tick();
    const asc = await get<JournalPage>('/api/events?order=asc&after=10&limit=5');
    expect(asc.body.events.map((e) => e.seq)).toEqual([11, 12, 13, 14, 15]);
    expect(asc.body.next).toBe(15);
    const b = await get<JournalPage>('/api/vms/b/events?limit=1000');
    expect(b.body.events.every((e) => e.vm === 'b')).toBe(true);
    expect(b.body.events[0]).toMatchObject({ event: 'BLOCK_IO_ERROR', data: { device: 'bad0' } });
    const filtered = await get<JournalPage>('/api/events?event=BLOCK_IO_ERROR&event=stop&limit=1000');
    expect(new Set(filtered.body.events.map((e) => e.event))).toEqual(new Set(['BLOCK_IO_ERROR', 'STOP']));
    const t = new Date(Date.now() + 60_000).toISOString();
    expect((await get<JournalPage>(`/api/events?since=${t}`)).body.events).toEqual([]);
    expect((await get<JournalPage>(`/api/events?until=${t}&limit=1`)).body.events).toHaveLength(1);
  });

  it('400 with a clear message for bad parameters; 404 for an unknown VM', async () => {
    const cases: [string, RegExp][] = [
      ['/api/events?limit=0', /limit "0" must be a whole number from 1 to 1000/],
      ['/api/events?limit=1001', /1 to 1000/],
      ['/api/events?after=-1', /after "-1" is not a sequence number/],
      ['/api/events?order=up', /order "up" must be asc or desc/],
      ['/api/events?since=yesterday', /since "yesterday" is not a time/],
      ['/api/events?since=2026-01-01T10:00', /add a zone/],
      ['/api/events?evnt=STOP', /unknown parameter "evnt"/],
      ['/api/events?limit=1&limit=2', /given twice/],
      ['/api/events?event=a%20b', /not an event name/],
      ['/api/events/stream?after=x', /after "x" is not a sequence number/],
      ['/api/alerts?state=closed', /state "closed" must be open or acknowledged/],
      ['/api/vms/%E0%A4%A/events', /URI malformed/],
      ['/api/vms/%ff/events/stream', /URI malformed/],
    ];
    for (const [p, re] of cases) {
      const r = await get<{ error: string }>(p);
      expect([p, r.status]).toEqual([p, 400]);
      expect(r.body.error).toMatch(re);
    }
    expect((await get<{ error: string }>('/api/vms/nope/events')).status).toBe(404);
    expect((await get<{ error: string }>('/api/vms/nope/events/stream')).body.error).toBe(
      'unknown VM "nope"',
    );
    expect((await get('/api/events?token=abc')).status).toBe(200);
  });

  it('NDJSON streams the whole selection (Accept or format=ndjson)', async () => {
    await emitMany(2500);
    const r = await get<string>('/api/events', { accept: 'application/x-ndjson' });
    expect(r.type).toMatch(/application\/x-ndjson/);
    const lines = r.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as JournalRecord);
    expect(lines.map((l) => l.seq)).toEqual(range(1, 2500).reverse());
    const asc = await get<string>('/api/vms/a/events?format=ndjson&order=asc&after=100');
    const a = asc.body
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as JournalRecord);
    expect(a.every((l) => l.vm === 'a' && l.seq > 100)).toBe(true);
    expect(a.map((l) => l.seq)).toEqual([...a.map((l) => l.seq)].sort((x, y) => x - y));
    const limited = await get<string>('/api/events?format=ndjson&limit=3');
    expect(limited.body.trim().split('\n')).toHaveLength(3);
  });

  it('NDJSON export waits for a slow reader instead of buffering everything', async () => {
    for (let i = 0; i < 20; i++) {
      for (let j = 0; j < 1000; j++) emit('a', 'X', { pad: 'p'.repeat(200) });
      await tick();
    }
    const got = await new Promise<number>((resolve) => {
      http.get(`${base}/api/events?format=ndjson`, (res) => {
        res.pause();
        // While paused, the server holds no more than a page or two in memory.
        setTimeout(() => {
          let n = 0;
          res.setEncoding('utf8');
          res.on('data', (c: string) => {
            n += c.split('\n').length - 1;
          });
          res.on('end', () => resolve(n));
          res.resume();
        }, 200);
      });
    });
    expect(got).toBe(20_000);
  });
});

describe('SSE streams', () => {
  it('replays after Last-Event-ID (wins over ?after=), then goes live with no gap or duplicate', async () => {
    await start({ pageSize: 7 });
    await emitMany(50);
    const c = await sse('/api/events/stream?after=5', { 'last-event-id': '20' });
    expect(c.status).toBe(200);
    expect(c.headers['content-type']).toMatch(/text\/event-stream/);
    await c.waitFor(() => seqsOf(c).at(-1) === 50);
    expect(c.messages[0]).toMatchObject({ event: 'alerts', id: '20', data: '{"alerts":[]}' });
    // Live events published while the replay is still being paged out.
    await emitMany(50);
    await emitMany(50);
    await c.waitFor(() => seqsOf(c).at(-1) === 150);
    expect(seqsOf(c)).toEqual(range(21, 150));
    const rec = JSON.parse(c.messages.find((m) => m.event === 'qmp')!.data) as JournalRecord;
    expect(rec.seq).toBe(21);
  });

  it('a stream without a resume point starts live at the head; its first id is the resume point', async () => {
    await start();
    await emitMany(10);
    const c = await sse('/api/vms/a/events/stream');
    await c.waitFor((m) => m.event === 'alerts');
    expect(c.lastEventId).toBe('10');
    await emitMany(9);
    await c.waitFor(() => seqsOf(c).length === 6);
    // Per VM: only VM a's records.
    expect(seqsOf(c)).toEqual([11, 12, 14, 15, 17, 18]);
  });

  it('resumes across many reconnects with exactly every record once', async () => {
    await start({ pageSize: 50 });
    const received: number[] = [];
    let last = '0';
    let producing = true;
    const producer = (async () => {
      for (let i = 0; i < 40; i++) {
        await emitMany(25);
        await new Promise((r) => setTimeout(r, 2));
      }
      producing = false;
    })();
    while (producing || received.at(-1) !== 1000) {
      const c = await sse('/api/events/stream', { 'last-event-id': last });
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
      c.close();
      await c.closed;
      received.push(...seqsOf(c));
      last = c.lastEventId || last;
      if (!producing && received.at(-1) !== 1000) {
        const d = await sse('/api/events/stream', { 'last-event-id': last });
        await d.waitFor(() => seqsOf(d).at(-1) === 1000);
        d.close();
        received.push(...seqsOf(d));
      }
    }
    await producer;
    expect(received).toEqual(range(1, 1000));
  });

  it('a client that stops reading falls back to paced replay and is closed when it stalls', async () => {
    await start({ maxBufferedBytes: 64 * 1024, stallTimeoutMs: 300, pageSize: 100 });
    const c = await sse('/api/events/stream');
    await c.waitFor((m) => m.event === 'alerts');
    c.pause();
    for (let i = 0; i < 30; i++) {
      for (let j = 0; j < 1000; j++) emit('a', 'X', { pad: 'p'.repeat(1000) });
      await tick();
    }
    // ~30 MB published, more than the socket buffers hold: the stream stops reading from the
    // journal, then gives up on the stalled reader.
    await new Promise((r) => setTimeout(r, 1000));
    c.resume();
    await c.closed;
    const got = seqsOf(c);
    expect(got.length).toBeLessThan(30_000);
    expect(got).toEqual(range(1, got.length));
  }, 20_000);

  it('a slow but reading client gets everything, in order', async () => {
    await start({ maxBufferedBytes: 32 * 1024, pageSize: 100 });
    const c = await sse('/api/events/stream?after=0');
    for (let i = 0; i < 10; i++) {
      c.pause();
      for (let j = 0; j < 500; j++) emit('a', 'X', { pad: 'p'.repeat(300) });
      await tick();
      await new Promise((r) => setTimeout(r, 20));
      c.resume();
    }
    await c.waitFor(() => seqsOf(c).at(-1) === 5000, 20_000);
    expect(seqsOf(c)).toEqual(range(1, 5000));
  });

  it('sends heartbeat comments', async () => {
    await start({ heartbeatMs: 20 });
    const c = await sse('/api/events/stream');
    await eventually('three heartbeats', () => (c.comments >= 3 ? true : undefined));
  });

  it('pushes alert changes; the first message carries the open alerts', async () => {
    await start();
    ioError();
    await tick();
    const c = await sse('/api/events/stream');
    const snapshot = JSON.parse((await c.waitFor((m) => m.event === 'alerts')).data) as {
      alerts: JournalAlert[];
    };
    expect(snapshot.alerts).toMatchObject([{ id: 1, count: 1, state: 'open' }]);
    ioError();
    ioError();
    await tick();
    const update = await c.waitFor((m) => m.event === 'alert');
    expect(update.id).toBeUndefined();
    expect(JSON.parse(update.data)).toMatchObject({ id: 1, count: 3 });
    const ack = await fetch(`${base}/api/alerts/1/ack`, { method: 'POST' });
    expect(ack.status).toBe(200);
    const acked = await c.waitFor((m) => m.event === 'alert' && JSON.parse(m.data).state === 'acknowledged');
    expect(JSON.parse(acked.data)).toMatchObject({ id: 1, acknowledgedBy: 'operator@test' });
  });
});

describe('alerts API', () => {
  beforeEach(() => start());

  it('lists by state and acknowledges (operator only)', async () => {
    for (let i = 0; i < 1000; i++) ioError();
    ioError('b');
    await tick();
    const open = await get<AlertList>('/api/alerts?state=open');
    expect(open.body.alerts).toHaveLength(2);
    const a = open.body.alerts.find((x) => x.vm === 'a')!;
    expect(a).toEqual({
      id: expect.any(Number),
      vm: 'a',
      event: 'BLOCK_IO_ERROR',
      device: 'bad0',
      node: '#b1',
      operation: 'read',
      action: 'stop',
      reason: 'Input/output error',
      nospace: false,
      count: 1000,
      first: expect.any(String),
      last: expect.any(String),
      firstSeq: 1,
      lastSeq: 1000,
      state: 'open',
      severity: 'critical',
    } satisfies JournalAlert);
    role = 'viewer';
    expect((await fetch(`${base}/api/alerts/${a.id}/ack`, { method: 'POST' })).status).toBe(403);
    role = 'operator';
    expect((await fetch(`${base}/api/alerts/999/ack`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${base}/api/alerts/x/ack`, { method: 'POST' })).status).toBe(400);
    expect((await fetch(`${base}/api/alerts/${a.id}/ack`)).status).toBe(405);
    const r = await fetch(`${base}/api/alerts/${a.id}/ack`, { method: 'POST' });
    expect(await r.json()).toMatchObject({
      alert: {
        id: a.id,
        state: 'acknowledged',
        acknowledgedBy: 'operator@test',
        acknowledgedAt: expect.any(String),
      },
    });
    expect((await get<AlertList>('/api/alerts?state=open')).body.alerts.map((x) => x.vm)).toEqual(['b']);
    expect(
      (await get<AlertList>('/api/alerts?state=acknowledged&vm=a')).body.alerts.map((x) => x.id),
    ).toEqual([a.id]);
  });

  it('GET /api/alerts/ID answers one alert, open or acknowledged, to any role', async () => {
    ioError('a');
    ioError('b');
    await tick();
    const [b, a] = (await get<AlertList>('/api/alerts?state=open')).body.alerts;
    expect((await fetch(`${base}/api/alerts/${a!.id}/ack`, { method: 'POST' })).status).toBe(200);
    role = 'viewer';
    const acked = await get<{ alert: JournalAlert }>(`/api/alerts/${a!.id}`);
    expect(acked.status).toBe(200);
    expect(acked.body.alert).toMatchObject({
      id: a!.id,
      vm: 'a',
      state: 'acknowledged',
      acknowledgedBy: 'operator@test',
    });
    expect((await get<{ alert: JournalAlert }>(`/api/alerts/${b!.id}`)).body.alert).toMatchObject({
      id: b!.id,
      vm: 'b',
      state: 'open',
    });
    expect((await get<{ error: string }>('/api/alerts/999')).body).toEqual({ error: 'no alert 999' });
    expect((await fetch(`${base}/api/alerts/999`)).status).toBe(404);
    expect((await get<{ error: string }>('/api/alerts/x')).status).toBe(400);
    expect((await get<{ error: string }>(`/api/alerts/${a!.id}?vm=a`)).status).toBe(400);
    expect((await fetch(`${base}/api/alerts/${a!.id}`, { method: 'POST' })).status).toBe(405);
  });

  it('GET /api/journal reports health, range and retention', async () => {
    await emitMany(3);
    const s = await get<JournalStatus>('/api/journal');
    expect(s.body).toEqual({
      ok: true,
      error: null,
      failingSince: null,
      backlog: 0,
      lost: 0,
      auditBacklog: 0,
      auditLost: 0,
      firstSeq: 1,
      lastSeq: 3,
      retention: { maxEvents: 1_000_000, maxAgeMs: null },
      auditRetention: { maxRecords: 1_000_000, maxAgeMs: null },
    } satisfies JournalStatus);
  });
});

describe('GET /api/audit', () => {
  const command = (n: number) =>
    journal.recordCommand({
      vm: 'a',
      context: { role: 'operator', remoteAddress: `127.0.0.1:${1000 + n}` },
      command: n % 2 ? 'set_password' : 'query-status',
      argumentNames: n % 2 ? ['protocol', 'password'] : [],
      outcome: 'ok',
    });

  it('pages the audit trail newest first, names only, including a command just run', async () => {
    await start();
    for (let n = 1; n <= 5; n++) command(n);
    const res = await fetch(`${base}/api/audit?limit=2`);
    expect(res.status).toBe(200);
    const page = (await res.json()) as AuditList;
    expect(page.records.map((r) => r.remote)).toEqual(['127.0.0.1:1005', '127.0.0.1:1004']);
    expect(page.records[0]).toMatchObject({
      command: 'set_password',
      argumentNames: ['protocol', 'password'],
    });
    const rest = (await (await fetch(`${base}/api/audit?limit=10&before=${page.next}`)).json()) as AuditList;
    expect(rest.records.map((r) => r.remote)).toEqual(['127.0.0.1:1003', '127.0.0.1:1002', '127.0.0.1:1001']);
    expect(rest.next).toBeNull();
  });

  it('filters by VM, and pages within the filter', async () => {
    await start();
    for (let n = 1; n <= 4; n++)
      journal.recordCommand({
        vm: n % 2 ? 'a' : 'b',
        context: { role: 'operator', remoteAddress: `127.0.0.1:${2000 + n}` },
        command: 'stop',
        argumentNames: [],
        outcome: 'ok',
      });
    const first = await get<AuditList>('/api/audit?vm=b&limit=1');
    expect(first.body.records.map((r) => [r.vm, r.remote])).toEqual([['b', '127.0.0.1:2004']]);
    const rest = await get<AuditList>(`/api/audit?vm=b&limit=5&before=${first.body.next}`);
    expect(rest.body.records.map((r) => [r.vm, r.remote])).toEqual([['b', '127.0.0.1:2002']]);
    expect(rest.body.next).toBeNull();
    expect((await get<AuditList>('/api/audit?vm=nobody')).body).toEqual({ records: [], next: null });
  });

  it('is refused to a viewer, and bad parameters are a 400', async () => {
    await start();
    expect((await fetch(`${base}/api/audit?limit=0`)).status).toBe(400);
    role = 'viewer';
    expect((await fetch(`${base}/api/audit`)).status).toBe(403);
  });
});
