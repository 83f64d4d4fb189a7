// QEMU going away and coming back, with clients attached, against a real QEMU.
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { VmSummary } from '../../protocol/api.ts';
import { CloseCode } from '../../protocol/api.ts';
import { startTestConsole, type TestConsole } from '../test-support/console.ts';
import { eventually } from '../test-support/eventually.ts';
import { bootQemu } from '../test-support/qemu.ts';
import { connectWsQmp } from '../test-support/ws-qmp-client.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function consoleFor(socketPath: string, args: string[] = []): Promise<TestConsole> {
  const running = await startTestConsole({
    vms: { vm: socketPath },
    args,
    start: { upstream: { initialBackoffMs: 50, maxBackoffMs: 1000 } },
  });
  cleanups.push(() => running.stop());
  return running;
}

async function vm(running: TestConsole): Promise<VmSummary> {
  const list = (await (await running.api('/api/vms')).json()) as VmSummary[];
  return list[0]!;
}

const client = (running: TestConsole) => connectWsQmp(running.wsUrl('vm'), { headers: running.authHeaders });

/** The console's target is a symlink, so a restarted QEMU (in a new dir) can take the same address. */
function stableAddress(): { link: string; pointTo: (socket: string) => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-link-'));
  cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
  const link = path.join(dir, 'vm.qmp');
  return {
    link,
    pointTo: (socket) => {
      rmSync(link, { force: true });
      symlinkSync(socket, link);
    },
  };
}

describe('when QEMU goes away', () => {
  it('closes every client within a second with UPSTREAM_LOST, reports why, and reconnects to a restarted QEMU', async () => {
    const address = stableAddress();
    const first = await bootQemu({});
    cleanups.push(() => first.dispose());
    address.pointTo(first.qmpPath);
    const running = await consoleFor(address.link);
    await eventually(
      'connected',
      async () => ((await vm(running)).state === 'connected' ? true : undefined),
      10_000,
    );

    const clients = await Promise.all([
      connectWsQmp(`${running.url.replace('http', 'ws')}qmp/vm?token=${running.token}`),
      connectWsQmp(`${running.url.replace('http', 'ws')}qmp/vm?token=${running.token}`),
    ]);
    for (const c of clients) await c.negotiate();
    // A command in flight when QEMU dies must not get an invented answer.
    clients[0]!.send({ execute: 'query-qmp-schema', id: 'in-flight' });

    const killedAt = Date.now();
    process.kill(first.pid, 'SIGKILL');
    const closes = await Promise.all(clients.map((c) => c.closed));
    for (const c of closes) {
      expect(c.code).toBe(CloseCode.UPSTREAM_LOST);
      expect(c.reason).toMatch(/QEMU connection lost/);
    }
    const made = clients[0]!.messages.filter((m) => m.id === 'in-flight' && 'error' in m);
    expect(made).toEqual([]);

    const down = await eventually(
      'disconnected',
      async () => {
        const v = await vm(running);
        return v.state === 'connected' ? undefined : v;
      },
      2000,
    );
    expect(down.error).toBeTruthy();
    expect(Date.parse(down.since)).toBeGreaterThanOrEqual(killedAt - 5);
    expect(down.version?.qemu.major).toBe(7);

    // A new QEMU on the same socket path: the proxy finds it within its backoff cap.
    await first.stop();
    const second = await bootQemu({});
    cleanups.push(() => second.dispose());
    address.pointTo(second.qmpPath);
    await eventually(
      'reconnected',
      async () => ((await vm(running)).state === 'connected' ? true : undefined),
      5000,
    );
    const fresh = await connectWsQmp(`${running.url.replace('http', 'ws')}qmp/vm?token=${running.token}`);
    await fresh.negotiate();
    expect(await fresh.execute('query-status', undefined, 1)).toMatchObject({
      return: { status: 'prelaunch' },
      id: 1,
    });
    fresh.close();
  });

  it('closes clients when QEMU quits, and says so', async () => {
    const qemu = await bootQemu({});
    cleanups.push(() => qemu.dispose());
    const running = await consoleFor(qemu.qmpPath);
    await eventually(
      'connected',
      async () => ((await vm(running)).state === 'connected' ? true : undefined),
      10_000,
    );
    const c = await connectWsQmp(`${running.url.replace('http', 'ws')}qmp/vm?token=${running.token}`);
    await c.negotiate();
    c.send({ execute: 'quit', id: 'q' });
    const closed = await c.closed;
    expect(closed.code).toBe(CloseCode.UPSTREAM_LOST);
    expect(c.messages.filter((m) => 'event' in m).map((m) => m.event)).toContain('SHUTDOWN');
  });
});

describe('a target that does not exist yet', () => {
  it('shows as disconnected with a reason, keeps the console serving, and connects once QEMU appears', async () => {
    const address = stableAddress();
    const running = await consoleFor(address.link);
    const before = await eventually(
      'a failed attempt',
      async () => {
        const v = await vm(running);
        return v.error ? v : undefined;
      },
      2000,
    );
    expect(before.state).not.toBe('connected');
    expect(before.error).toMatch(/no such socket/);
    expect((await running.api('/api/vms')).status).toBe(200);

    const ws = await connectWsQmp(`${running.url.replace('http', 'ws')}qmp/vm?token=${running.token}`);
    expect((await ws.closed).code).toBe(CloseCode.UPSTREAM_LOST);

    const qemu = await bootQemu({});
    cleanups.push(() => qemu.dispose());
    address.pointTo(qemu.qmpPath);
    await eventually(
      'connected',
      async () => ((await vm(running)).state === 'connected' ? true : undefined),
      5000,
    );
  });
});

describe('liveness', () => {
  it('drops a client that stops answering pings, and keeps one that answers', async () => {
    const qemu = await bootQemu({});
    cleanups.push(() => qemu.dispose());
    const running = await consoleFor(qemu.qmpPath, ['--heartbeat-ms', '100']);
    await eventually(
      'connected',
      async () => ((await vm(running)).state === 'connected' ? true : undefined),
      10_000,
    );
    const dead = await client(running);
    const alive = await client(running);
    await dead.negotiate();
    await alive.negotiate();
    const hub = running.running.hub.get('vm')!;
    expect(hub.clientCount).toBe(2);
    // A paused socket reads no pings, so it sends no pongs: what a sleeping laptop looks like.
    (dead.ws as unknown as { _socket: net.Socket })._socket.pause();
    await eventually('the dead peer dropped', async () => (hub.clientCount === 1 ? true : undefined), 3000);
    await new Promise((r) => setTimeout(r, 300));
    expect(hub.clientCount).toBe(1);
    expect(await alive.execute('query-status', undefined, 'alive')).toMatchObject({ id: 'alive' });
    alive.close();
  });
});
