// Event streams and journal exports are capped, in total and per remote address, on a console in front
// of a real QEMU: past a cap a 503 with a JSON error and Retry-After, counted in the metrics; served
// again once one closes.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestConsole, TEST_TOKEN, type TestConsole } from '../test-support/console.ts';
import { useQemu } from '../test-support/qemu.ts';
import { connectSse, type SseClient } from '../test-support/sse-client.ts';

process.env.QMP_CONSOLE_LOG ??= 'error';

const qemu = useQemu();
let tc: TestConsole;
const auth = { authorization: `Bearer ${TEST_TOKEN}` };

beforeAll(async () => {
  tc = await startTestConsole({
    vms: { vm: qemu().qmpPath },
    args: [
      '--max-streams',
      '3',
      '--max-streams-per-address',
      '2',
      '--max-exports',
      '1',
      '--max-exports-per-address',
      '1',
    ],
  });
  await vi.waitFor(async () => {
    const [vm] = (await (await tc.api('/api/vms')).json()) as { state: string }[];
    expect(vm?.state).toBe('connected');
  }, 10_000);
});
afterAll(async () => {
  await tc?.stop();
});

/** A stream from a given loopback address (127.0.0.2 is another client to the console). */
function openStream(pathname: string, localAddress = '127.0.0.1'): Promise<SseClient> {
  return connectSse(new URL(pathname.slice(1), tc.url).toString(), auth, { localAddress });
}

async function refusal(client: SseClient) {
  return {
    status: client.status,
    retryAfter: client.headers['retry-after'],
    body: JSON.parse(await client.body()),
  };
}

async function refusedCount(limit: string): Promise<number> {
  const text = await (await tc.api('/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`qmp_http_refused_total{limit="${limit}"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

describe('event stream caps', () => {
  it('refuses a third stream from one address and a fourth in total with 503, and serves again once one closes', async () => {
    const open: SseClient[] = [];
    try {
      open.push(await openStream('/api/stream'));
      open.push(await openStream('/api/events/stream'));
      expect(open.map((c) => c.status)).toEqual([200, 200]);

      const perAddress = await openStream('/api/vms/vm/events/stream');
      expect(await refusal(perAddress)).toEqual({
        status: 503,
        retryAfter: '5',
        body: {
          error: expect.stringContaining('--max-streams-per-address 2'),
          code: 'max-streams-per-address',
        },
      });

      // Another address still has room, up to the total.
      open.push(await openStream('/api/vms/vm/events/stream', '127.0.0.2'));
      expect(open[2]!.status).toBe(200);
      const total = await openStream('/api/stream', '127.0.0.2');
      expect(await refusal(total)).toMatchObject({ status: 503, body: { code: 'max-streams' } });
      expect(await refusedCount('max-streams-per-address')).toBe(1);
      expect(await refusedCount('max-streams')).toBe(1);

      // One closes: its place is free again (the server hears of the close a moment later).
      open.shift()!.close();
      await vi.waitFor(async () => {
        const again = await openStream('/api/stream');
        if (again.status === 200) open.push(again);
        expect(again.status).toBe(200);
      }, 10_000);
    } finally {
      for (const c of open) c.close();
    }
  });
});

/** An NDJSON export the test does not read: it stays open while its socket is full. */
function startExport(localAddress = '127.0.0.1'): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = http.get(
      new URL('api/events?format=ndjson', tc.url),
      { headers: { ...auth, accept: 'application/x-ndjson' }, localAddress },
      (res) => {
        res.pause();
        resolve(res);
      },
    );
    req.on('error', reject);
  });
}

const bodyOf = (res: http.IncomingMessage): Promise<string> =>
  new Promise((resolve) => {
    let text = '';
    res.setEncoding('utf8');
    res.on('data', (c: string) => {
      text += c;
    });
    res.on('end', () => resolve(text));
    res.resume();
  });

describe('export caps', () => {
  it('refuses a second export at once with 503 while one runs, and serves one again after it ends', async () => {
    // Enough journal that an export nobody reads fills its socket and stays open.
    const pad = 'x'.repeat(400);
    for (let i = 0; i < 40_000; i++)
      tc.running.journal.sink(
        'vm',
        { event: 'TEST_PADDING', data: { i, pad }, timestamp: { seconds: 1, microseconds: i } },
        '',
        () => {},
      );
    tc.running.journal.settle();

    const first = await startExport();
    expect(first.statusCode).toBe(200);
    const second = await startExport('127.0.0.2');
    expect(second.statusCode).toBe(503);
    expect(second.headers['retry-after']).toBe('5');
    expect(JSON.parse(await bodyOf(second))).toMatchObject({ code: 'max-exports' });
    expect(await refusedCount('max-exports')).toBe(1);

    // Read to its end: every record, then its place is free.
    const lines = (await bodyOf(first)).split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThanOrEqual(40_000);
    await vi.waitFor(async () => {
      const again = await startExport();
      const status = again.statusCode;
      again.destroy();
      expect(status).toBe(200);
    }, 10_000);
  }, 60_000);
});
