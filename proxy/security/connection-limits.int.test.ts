// Half-open connections without a token cannot use up the console: past --max-connections-per-address
// the oldest connection that has shown no token is closed, and authenticated clients keep being served.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestConsole, TEST_TOKEN, type TestConsole } from '../test-support/console.ts';
import { useQemu } from '../test-support/qemu.ts';
import { connectWsQmp, type WsQmpClient } from '../test-support/ws-qmp-client.ts';

process.env.QMP_CONSOLE_LOG ??= 'error';

const qemu = useQemu();
let tc: TestConsole;
let op: WsQmpClient;
const flood: net.Socket[] = [];

beforeAll(async () => {
  tc = await startTestConsole({
    vms: { vm: qemu().qmpPath },
    args: ['--max-connections', '60', '--max-connections-per-address', '40'],
  });
  await vi.waitFor(() => expect(tc.running.hub.get('vm')!.upstream.status.state).toBe('connected'), 10_000);
  op = await connectWsQmp(tc.wsUrl('vm'), { headers: { authorization: `Bearer ${TEST_TOKEN}` } });
  await op.negotiate();
});
afterAll(async () => {
  for (const s of flood) s.destroy();
  op?.close();
  await tc?.stop();
});

describe('connection limits', () => {
  it('closes the oldest token-less connections past the cap and keeps serving the authenticated', async () => {
    const port = Number(new URL(tc.url).port);
    let closed = 0;
    for (let i = 0; i < 400; i++) {
      const s = net.connect(port, '127.0.0.1');
      s.on('error', () => {});
      s.on('close', () => closed++);
      flood.push(s);
      await new Promise((r) => s.once('connect', r));
    }
    // At most 40 from this address stay open; the WebSocket (trusted) is one of them.
    await vi.waitFor(() => expect(closed).toBeGreaterThanOrEqual(400 - 40), 10_000);
    expect(await op.execute('query-status', undefined, 'q')).toMatchObject({
      id: 'q',
      return: { status: 'prelaunch' },
    });
    const res = await tc.api('/api/vms');
    expect(res.status).toBe(200);
  });
});
