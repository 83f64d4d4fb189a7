// One client cannot stall the others, against a real QEMU: a burst of commands waits in its client's own
// lane, so another client's command is answered after a few of the burst's, not after all of them; and a
// viewer's megabyte frame is refused before the console reads it, never holding QEMU's monitor.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  startTestConsole,
  TEST_TOKEN,
  TEST_VIEWER_TOKEN,
  type TestConsole,
} from '../test-support/console.ts';
import { useQemu } from '../test-support/qemu.ts';
import { connectWsQmp, type WsQmpClient } from '../test-support/ws-qmp-client.ts';

process.env.QMP_CONSOLE_LOG ??= 'error';

const qemu = useQemu();
let tc: TestConsole;

beforeAll(async () => {
  tc = await startTestConsole({ vms: { vm: qemu().qmpPath }, args: ['--viewer-token', TEST_VIEWER_TOKEN] });
  await vi.waitFor(async () => {
    const [vm] = (await (await tc.api('/api/vms')).json()) as { state: string }[];
    expect(vm?.state).toBe('connected');
  }, 10_000);
});
afterAll(async () => {
  await tc?.stop();
});

async function client(token: string): Promise<WsQmpClient> {
  const c = await connectWsQmp(tc.wsUrl('vm'), { headers: { authorization: `Bearer ${token}` } });
  await c.negotiate();
  return c;
}

const replies = (c: WsQmpClient, prefix: string) =>
  c.messages.filter((m) => typeof m.id === 'string' && m.id.startsWith(prefix));

describe('commands reach QEMU from the clients in turn', () => {
  it("answers another client's query-status after a few of a 600-command burst, not after the burst", async () => {
    const burst = 600;
    const flooder = await client(TEST_TOKEN);
    const operator = await client(TEST_TOKEN);
    try {
      for (let i = 0; i < burst; i++) flooder.send({ execute: 'query-status', id: `flood-${i}` });
      // The burst is at the console (its frames left before any reply could come back) and QEMU works on it.
      await flooder.waitFor((m) => m.id === 'flood-9', 30_000);
      const answered = operator.execute('query-status', undefined, 'operator');
      await answered;
      const floodRepliesBefore = replies(flooder, 'flood-').length;
      // Written as they came, the operator's command would have waited for every one of the burst.
      expect(floodRepliesBefore).toBeLessThan(100);
      expect(await answered).toMatchObject({ return: { status: 'prelaunch' } });
      // The burst is served in full, in its own order.
      await flooder.waitFor((m) => m.id === `flood-${burst - 1}`, 120_000);
      expect(replies(flooder, 'flood-').map((m) => m.id)).toEqual(
        Array.from({ length: burst }, (_, i) => `flood-${i}`),
      );
      expect(replies(flooder, 'flood-').every((m) => 'return' in m)).toBe(true);
    } finally {
      flooder.close();
      operator.close();
    }
  }, 180_000);

  it("keeps a viewer's 1 MiB query-status frame from QEMU and the console's parser, and answers the operator", async () => {
    const viewer = await client(TEST_VIEWER_TOKEN);
    const operator = await client(TEST_TOKEN);
    try {
      const pad = 'x'.repeat(1024 * 1024 - 100);
      viewer.send({ execute: 'query-status', arguments: { pad }, id: 'big' });
      // Refused from the frame's header: closed as too big, as frames over --max-frame-bytes are.
      expect(await viewer.closed).toMatchObject({ code: 1009 });
      expect(viewer.messages.some((m) => m.id === 'big')).toBe(false);
      // Nothing of it is at QEMU: the operator's command is answered as the next one.
      expect(await operator.execute('query-status', undefined, 'op')).toMatchObject({
        return: { status: 'prelaunch' },
      });
      // A viewer's ordinary commands still go.
      const again = await client(TEST_VIEWER_TOKEN);
      expect(await again.execute('query-status', undefined, 'small')).toMatchObject({
        return: { status: 'prelaunch' },
      });
      again.close();
    } finally {
      viewer.close();
      operator.close();
    }
  }, 60_000);
});
