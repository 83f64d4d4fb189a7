// What an abusive session leaves behind once its clients are gone, on a real QEMU and the real console:
// nothing keyed by a client or by what a client asked for outlives it (counts, not timing).
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { VmSummary } from '../../protocol/api.ts';
import { startTestConsole, TEST_VIEWER_TOKEN, type TestConsole } from '../test-support/console.ts';
import { useQemu } from '../test-support/qemu.ts';
import { connectWsQmp } from '../test-support/ws-qmp-client.ts';
import { MAX_CACHED_STATEMENTS } from './journal-store.ts';

process.env.QMP_CONSOLE_LOG ??= 'error';

const qemu = useQemu();
let tc: TestConsole;

beforeAll(async () => {
  tc = await startTestConsole({
    vms: { vm: qemu().qmpPath },
    // Viewers' big frames are let through to the policy here: their refusals are what must not linger.
    args: ['--viewer-token', TEST_VIEWER_TOKEN, '--max-viewer-frame-bytes', '1048576'],
    start: { refusalWindowMs: 600_000 },
  });
  await vi.waitFor(async () => {
    const [vm] = (await (await tc.api('/api/vms')).json()) as VmSummary[];
    expect(vm?.state).toBe('connected');
  }, 10_000);
});
afterAll(async () => {
  await tc?.stop();
});

describe('once the clients of an abusive session have left', () => {
  it('holds no more prepared queries than its bound, whatever filters readers tried', async () => {
    // Every event-name count and bound a reader can combine is a query of its own: 64 x 4 here.
    const names = Array.from({ length: 64 }, (_, i) => `EVENT_${i}`);
    const bounds = ['', '&after=1', '&since=0&until=9999999999999', '&order=asc&before=99'];
    for (let n = 1; n <= names.length; n++)
      await Promise.all(
        bounds.map(async (b) => {
          const res = await tc.api(`/api/events?event=${names.slice(0, n).join(',')}${b}`);
          expect(res.status).toBe(200);
          await res.arrayBuffer();
        }),
      );
    expect(tc.running.journal.store.cachedStatements).toBeLessThanOrEqual(MAX_CACHED_STATEMENTS);
    // Still answers every shape (a dropped statement is prepared again).
    const again = await tc.api(`/api/events?event=${names.join(',')}&after=1`);
    expect(again.status).toBe(200);
  });

  it('keeps nothing for its WebSocket clients or their refusals', async () => {
    const vm = tc.running.hub.get('vm')!;
    const clients = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const c = await connectWsQmp(tc.wsUrl('vm'), {
          headers: { authorization: `Bearer ${TEST_VIEWER_TOKEN}` },
        });
        await c.negotiate();
        return c;
      }),
    );
    const pad = 'x'.repeat(200_000);
    for (const c of clients)
      for (let i = 0; i < 10; i++) c.sendRaw(`{"execute":"stop","arguments":{"pad":"${pad}"},"id":${i}}`);
    await Promise.all(clients.map((c) => c.waitFor((m) => m.id === 9, 60_000)));
    expect(vm.clientCount).toBe(20);
    expect(tc.running.refusals.openWindows).toBe(1);
    for (const c of clients) c.close();
    await Promise.all(clients.map((c) => c.closed));
    await vi.waitFor(() => expect(vm.clientCount).toBe(0), 10_000);
    tc.running.refusals.flush();
    expect(tc.running.refusals.openWindows).toBe(0);
  });
});
