// The event journal against a real QEMU, with its second monitor as ground truth.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VmSummary } from '../../protocol/api.ts';
import type { AlertList, JournalPage, JournalRecord } from '../../protocol/journal.ts';
import type { QmpEvent } from '../../protocol/qmp.ts';
import { startTestConsole, type TestConsole } from '../test-support/console.ts';
import { eventually } from '../test-support/eventually.ts';
import { useQemu } from '../test-support/qemu.ts';
import { connectQmp, type QmpSocketClient } from '../test-support/qmp-socket-client.ts';
import { connectSse, type SseClient } from '../test-support/sse-client.ts';

const qemu = useQemu({ secondMonitor: true, disks: [{ id: 'bad0', fail: 'eio' }] });
let con: TestConsole;
let truth: QmpSocketClient;

beforeAll(async () => {
  truth = await connectQmp(qemu().secondMonitorPath!);
  await truth.negotiate();
  con = await startTestConsole({
    vms: { vm: qemu().qmpPath },
    start: { upstream: { initialBackoffMs: 20 } },
  });
  await eventually('connected', async () => {
    const vms = (await (await con.api('/api/vms')).json()) as VmSummary[];
    return vms[0]?.state === 'connected' ? true : undefined;
  });
});

afterAll(async () => {
  await truth?.close();
  await con?.stop();
});

/**
 * A real event storm: `cont` → RESUME, BLOCK_IO_ERROR (SeaBIOS reading the failing disk), STOP; after
 * each STOP, `cont` again. Resolves after `rounds` STOPs.
 */
function storm(rounds: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = rounds;
    const off = truth.onEvent((e) => {
      if (e.event !== 'STOP') return;
      if (--left > 0) truth.execute('cont').catch(reject);
      else {
        off();
        resolve();
      }
    });
    truth.execute('cont').catch(reject);
  });
}

/** What identifies one QEMU event: its name, QEMU's timestamp and its data. */
const key = (e: Pick<QmpEvent, 'event' | 'data' | 'timestamp'>) =>
  `${e.event} ${e.timestamp.seconds}.${String(e.timestamp.microseconds).padStart(6, '0')} ${JSON.stringify(e.data ?? null)}`;

async function head(): Promise<number> {
  const page = (await (await con.api('/api/events?limit=1')).json()) as JournalPage;
  return page.events[0]?.seq ?? 0;
}

/** Every record after `after` for VM vm, oldest first, via the NDJSON export. */
async function journalAfter(after: number): Promise<JournalRecord[]> {
  const text = await (await con.api(`/api/vms/vm/events?order=asc&after=${after}&format=ndjson`)).text();
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JournalRecord);
}

function sse(path: string, headers: Record<string, string> = {}): Promise<SseClient> {
  return connectSse(new URL(path.replace(/^\//, ''), con.url).toString(), { ...con.authHeaders, ...headers });
}

const records = (c: SseClient) =>
  c.messages.filter((m) => m.event === 'qmp').map((m) => JSON.parse(m.data) as JournalRecord);

describe('the journal with a real QEMU', () => {
  it('records the connection, and keeps events that happen while no client is connected', async () => {
    const all = (await (await con.api('/api/vms/vm/events?order=asc&limit=1000')).json()) as JournalPage;
    expect(all.events[0]).toMatchObject({
      vm: 'vm',
      event: 'CONSOLE_CONNECTED',
      source: 'console',
      data: { version: { qemu: { major: 7, minor: 2 } } },
    });

    const from = await head();
    const truthFrom = truth.events.length;
    await storm(5);
    const expected = truth.events.slice(truthFrom).map(key);
    expect(expected).toHaveLength(15);
    const got = await eventually('15 events journaled', async () => {
      const r = await journalAfter(from);
      return r.length >= 15 ? r : undefined;
    });
    expect(got.map(key)).toEqual(expected);
    expect(got.map((r) => r.seq)).toEqual(got.map((_, i) => from + 1 + i));
    expect(got.every((r) => r.source === undefined)).toBe(true);

    // The JSON pages say the same, newest first.
    const page = (await (await con.api(`/api/vms/vm/events?after=${from}&limit=15`)).json()) as JournalPage;
    expect(page.events.map(key)).toEqual([...expected].reverse());
    expect(page.next).toBeNull();

    // And the stream, resumed from before they happened.
    const c = await sse(`/api/vms/vm/events/stream?after=${from}`);
    await c.waitFor((_, all) => records(c).length >= 15 && all.length > 0);
    expect(records(c).map(key)).toEqual(expected);
    c.close();

    // /api/vms carries the journal's health.
    const vms = (await (await con.api('/api/vms')).json()) as VmSummary[];
    expect(vms[0]!.journal).toEqual({
      ok: true,
      error: null,
      failingSince: null,
      backlog: 0,
      lost: 0,
      auditBacklog: 0,
      auditLost: 0,
    });
  });

  it('an SSE client that disconnects mid-storm and resumes with Last-Event-ID ends with exactly the ground truth', async () => {
    // Start from a clean slate of alerts so the next test can count this storm's errors.
    const from = await head();
    const truthFrom = truth.events.length;
    const rounds = 1000;
    const received: JournalRecord[] = [];
    let lastId = String(from);
    let connections = 0;
    let done = false;
    const stormDone = storm(rounds).then(() => {
      done = true;
    });
    // Connect, take a few hundred records, drop the connection; again, until the storm is over.
    while (!done) {
      const c = await sse('/api/vms/vm/events/stream', { 'last-event-id': lastId });
      connections++;
      const want = received.length + 200 + Math.floor(Math.random() * 200);
      await Promise.race([
        c.waitFor(() => received.length + records(c).length >= want, 30_000).catch(() => {}),
        stormDone,
      ]);
      c.close();
      await c.closed;
      received.push(...records(c));
      lastId = c.lastEventId || lastId;
    }
    await stormDone;
    const expected = truth.events.slice(truthFrom).map(key);
    expect(expected).toHaveLength(rounds * 3);
    // The last connection catches up to the end.
    const last = await sse('/api/vms/vm/events/stream', { 'last-event-id': lastId });
    await last.waitFor(() => received.length + records(last).length >= expected.length, 30_000);
    last.close();
    received.push(...records(last));
    expect(connections).toBeGreaterThan(3);
    expect(received.map(key)).toEqual(expected);
    expect(received.map((r) => r.seq)).toEqual(received.map((_, i) => from + 1 + i));
  });

  it('a 1,000-error storm coalesces into one alert with the right count', async () => {
    // Acknowledge what earlier storms opened; repeats after that open a fresh alert.
    const before = (await (await con.api('/api/alerts?state=open')).json()) as AlertList;
    for (const a of before.alerts) {
      const r = await con.api(`/api/alerts/${a.id}/ack`, { method: 'POST' });
      expect(r.status).toBe(200);
    }
    const sub = await sse('/api/events/stream');
    const truthFrom = truth.events.length;
    await storm(1000);
    const errors = truth.events.slice(truthFrom).filter((e) => e.event === 'BLOCK_IO_ERROR');
    expect(errors).toHaveLength(1000);
    const open = await eventually('the alert to count every error', async () => {
      const list = (await (await con.api('/api/alerts?state=open')).json()) as AlertList;
      return list.alerts[0]?.count === 1000 ? list.alerts : undefined;
    });
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({
      vm: 'vm',
      event: 'BLOCK_IO_ERROR',
      device: 'bad0',
      operation: 'read',
      action: 'stop',
      reason: 'Input/output error',
      nospace: false,
      count: 1000,
      state: 'open',
    });
    // Alert changes were pushed on the stream: at most one push per journal batch, so never more pushes
    // than errors (a driver that waits for each STOP puts every error in a batch of its own).
    const pushes = await sub.waitFor((m) => m.event === 'alert' && JSON.parse(m.data).count === 1000);
    expect(JSON.parse(pushes.data).id).toBe(open[0]!.id);
    const alertPushes = sub.messages.filter((m) => m.event === 'alert').length;
    expect(alertPushes).toBeGreaterThan(0);
    expect(alertPushes).toBeLessThanOrEqual(1000);
    // Acknowledging is pushed as well.
    await con.api(`/api/alerts/${open[0]!.id}/ack`, { method: 'POST' });
    const acked = await sub.waitFor(
      (m) => m.event === 'alert' && JSON.parse(m.data).state === 'acknowledged',
    );
    expect(JSON.parse(acked.data)).toMatchObject({
      id: open[0]!.id,
      acknowledgedBy: expect.stringMatching(/^operator@/),
    });
    sub.close();
  });
});
