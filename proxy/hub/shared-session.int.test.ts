// One upstream QMP session per VM, shared by WebSocket and plain-socket clients, against a real QEMU.
import { mkdtempSync, rmSync } from 'node:fs';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VmSummary } from '../../protocol/api.ts';
import { CloseCode } from '../../protocol/api.ts';
import { startTestConsole, type TestConsole } from '../test-support/console.ts';
import { eventually } from '../test-support/eventually.ts';
import { useQemu } from '../test-support/qemu.ts';
import { connectQmp } from '../test-support/qmp-socket-client.ts';
import { connectWsQmp, type WsQmpClient } from '../test-support/ws-qmp-client.ts';

const qemu = useQemu({ secondMonitor: true, disks: [{ id: 'bad0', fail: 'eio' }, { id: 'disk0' }] });
let socketDir: string;
let running: TestConsole;
let qmpSocketPath: string;

beforeAll(async () => {
  socketDir = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-int-'));
  qmpSocketPath = path.join(socketDir, 'shared.qmp');
  running = await startTestConsole({
    vms: { vm: qemu().qmpPath },
    args: ['--listen-qmp', `vm=unix:${qmpSocketPath}`, '--max-buffered-bytes', String(1024 * 1024)],
    start: { upstream: { initialBackoffMs: 20, maxBackoffMs: 500 } },
  });
  await waitForState('vm', 'connected');
});

afterAll(async () => {
  await running?.stop();
  rmSync(socketDir, { recursive: true, force: true });
});

const connectWs = () => connectWsQmp(running.wsUrl('vm'), { headers: running.authHeaders });

async function vms(): Promise<VmSummary[]> {
  return (await running.api('/api/vms')).json() as Promise<VmSummary[]>;
}

async function waitForState(name: string, state: VmSummary['state'], timeoutMs = 10_000): Promise<VmSummary> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const vm = (await vms()).find((v) => v.name === name);
    if (vm?.state === state) return vm;
    if (Date.now() > deadline) throw new Error(`VM ${name} not ${state}: ${JSON.stringify(vm)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function negotiatedClient(): Promise<WsQmpClient> {
  const c = await connectWs();
  await c.negotiate();
  return c;
}

describe('a WebSocket client session', () => {
  it('gets the real greeting, negotiates and runs query-status with its own id', async () => {
    const c = await connectWs();
    const greeting = (await c.nth(0)) as {
      QMP: { version: { qemu: { major: number; minor: number } }; capabilities: string[] };
    };
    expect(greeting.QMP.version.qemu).toMatchObject({ major: 7, minor: 2 });
    expect(greeting.QMP.capabilities).toEqual(['oob']);
    expect(await c.execute('qmp_capabilities', undefined, 'neg')).toEqual({ return: {}, id: 'neg' });
    expect(await c.execute('query-status', undefined, 42)).toEqual({
      return: { status: 'prelaunch', singlestep: false, running: false },
      id: 42,
    });
    c.close();
  });

  it('answers commands before negotiation, and a second negotiation, as QEMU does', async () => {
    const c = await connectWs();
    expect(await c.execute('query-status', undefined, 1)).toEqual({
      id: 1,
      error: { class: 'CommandNotFound', desc: "Expecting capabilities negotiation with 'qmp_capabilities'" },
    });
    await c.execute('qmp_capabilities', undefined, 2);
    expect(await c.execute('qmp_capabilities', undefined, 3)).toMatchObject({
      id: 3,
      error: { class: 'CommandNotFound' },
    });
    c.close();
  });

  it('restores every kind of client id exactly and leaves none on a reply to a command without one', async () => {
    const c = await negotiatedClient();
    for (const id of [0, -7, 1.5, 'x', '', null, { a: [1, null, 'b'] }, [3, 4], true]) {
      const reply = await c.execute('query-status', undefined, id);
      expect(reply.id).toEqual(id);
    }
    const before = c.messages.length;
    c.send({ execute: 'query-name' });
    const reply = await c.nth(before);
    expect(reply).toEqual({ return: {} });
    c.close();
  });

  it('answers malformed input as QEMU would and keeps the connection open', async () => {
    const c = await negotiatedClient();
    const cases: [string, string][] = [
      ['not json', 'JSON parse error'],
      ['[1]', 'QMP input must be a JSON object'],
      ['{"id":5}', "QMP input lacks member 'execute'"],
      ['{"execute":1,"id":6}', "QMP input member 'execute' must be a string"],
      ['{"execute":"query-status","arguments":[],"id":7}', "QMP input member 'arguments' must be an object"],
      ['{"execute":"stop"}\n{"execute":"quit"}', 'JSON parse error'],
    ];
    for (const [text, desc] of cases) {
      const before = c.messages.length;
      c.sendRaw(text);
      const reply = (await c.nth(before)) as { error: { class: string; desc: string } };
      expect(reply.error.class).toBe('GenericError');
      expect(reply.error.desc).toContain(desc);
    }
    expect(await c.execute('query-status', undefined, 'still-open')).toMatchObject({
      return: { status: 'prelaunch' },
    });
    c.close();
  });

  it('relays errors from QEMU with their class', async () => {
    const c = await negotiatedClient();
    expect(await c.execute('query-balloon', undefined, 'b')).toMatchObject({
      id: 'b',
      error: { class: 'DeviceNotActive' },
    });
    expect(await c.execute('no-such-command', undefined, 'n')).toMatchObject({
      id: 'n',
      error: { class: 'CommandNotFound' },
    });
    c.close();
  });

  it('delivers a large reply (query-qmp-schema) intact, equal to what QEMU gives directly', async () => {
    const c = await negotiatedClient();
    const direct = await connectQmp(qemu().secondMonitorPath!);
    await direct.negotiate();
    const viaProxy = await c.execute('query-qmp-schema', undefined, 's');
    const straight = await direct.call('query-qmp-schema');
    expect(JSON.stringify(viaProxy.return).length).toBeGreaterThan(100_000);
    expect(viaProxy.return).toEqual(straight);
    await direct.close();
    c.close();
  });

  it('lets a client that enables oob use exec-oob, with its id restored', async () => {
    const c = await connectWs();
    await c.nth(0);
    expect(await c.execute('qmp_capabilities', { enable: ['oob'] }, 0)).toEqual({ return: {}, id: 0 });
    const before = c.messages.length;
    c.send({ 'exec-oob': 'migrate-pause', id: 'oob-1' });
    const reply = await c.nth(before);
    // migrate-pause is OOB-capable; outside postcopy QEMU refuses it, which proves it ran out of band.
    expect(reply).toMatchObject({ id: 'oob-1', error: { class: 'GenericError' } });
    c.close();
  });
});

describe('sharing one QEMU among many clients', () => {
  it('gives two WebSocket clients and a plain QMP socket client exactly their own replies, in order', async () => {
    const a = await negotiatedClient();
    const b = await negotiatedClient();
    const s = await connectQmp(qmpSocketPath);
    await s.negotiate();
    const n = 500;
    const commands = ['query-status', 'query-name', 'query-kvm', 'query-uuid'];
    const expected = await Promise.all(commands.map((cmd) => a.execute(cmd, undefined, `probe-${cmd}`)));
    const expectFor = (i: number) => expected[i % commands.length]!.return;

    const fromA = a.messages.length;
    const fromB = b.messages.length;
    for (let i = 0; i < n; i++) {
      a.send({ execute: commands[i % 4], id: i });
      b.send({ execute: commands[(i + 1) % 4], id: i });
    }
    const socketReplies = Promise.all(Array.from({ length: n }, (_, i) => s.execute(commands[(i + 2) % 4]!)));
    await a.nth(fromA + n - 1, 30_000);
    await b.nth(fromB + n - 1, 30_000);
    const repliesA = a.messages.slice(fromA, fromA + n);
    const repliesB = b.messages.slice(fromB, fromB + n);
    expect(repliesA.map((r) => r.id)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(repliesB.map((r) => r.id)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(repliesA.map((r) => r.return)).toEqual(repliesA.map((_, i) => expectFor(i)));
    expect(repliesB.map((r) => r.return)).toEqual(repliesB.map((_, i) => expectFor(i + 1)));
    const fromSocket = await socketReplies;
    fromSocket.forEach((r, i) => {
      expect('return' in r && r.return).toEqual(expectFor(i + 2));
    });
    a.close();
    b.close();
    await s.close();
  });

  it('keeps a proxy-made error in order behind earlier commands still with QEMU', async () => {
    const c = await negotiatedClient();
    const from = c.messages.length;
    c.send({ execute: 'query-qmp-schema', id: 'slow' });
    c.sendRaw('not json');
    await c.nth(from + 1);
    expect(c.messages[from]!.id).toBe('slow');
    expect(c.messages[from + 1]).toMatchObject({ error: { class: 'GenericError' } });
    c.close();
  });

  it('sends no events before negotiation and every event, in order, to every negotiated client during a storm', async () => {
    const ground = await connectQmp(qemu().secondMonitorPath!);
    await ground.negotiate();
    const clients = await Promise.all([negotiatedClient(), negotiatedClient(), negotiatedClient()]);
    const unnegotiated = await connectWs();
    const socketClient = await connectQmp(qmpSocketPath);
    await socketClient.negotiate();
    const driver = clients[0]!;
    const starts = clients.map((c) => c.messages.length);
    const groundStart = ground.events.length;

    // Each cont retries the failing read: RESUME, BLOCK_IO_ERROR, STOP.
    const rounds = 200;
    for (let i = 0; i < rounds; i++) {
      await driver.execute('cont', undefined, `cont-${i}`);
      await ground.waitForEvent('STOP', 5000);
    }
    await new Promise((r) => setTimeout(r, 200));
    const truth = ground.events.slice(groundStart);
    expect(truth.filter((e) => e.event === 'BLOCK_IO_ERROR')).toHaveLength(rounds);
    const events = (msgs: Record<string, unknown>[]) => msgs.filter((m) => 'event' in m);
    for (const [i, c] of clients.entries()) {
      expect(events(c.messages.slice(starts[i]))).toEqual(truth);
    }
    expect(socketClient.events.slice(-truth.length)).toEqual(truth);
    expect(events(unnegotiated.messages)).toEqual([]);
    const status = await driver.execute('query-status', undefined, 'st');
    expect(status.return).toMatchObject({ status: 'io-error' });
    for (const c of [...clients, unnegotiated]) c.close();
    await socketClient.close();
    await ground.close();
  });
});

describe('order between events and replies', () => {
  it('gives a client the events QEMU sent before a reply ahead of that reply, as QEMU does', async () => {
    // QEMU emits RESUME from inside `cont`, before its reply; the journal must not let the reply overtake it.
    const c = await negotiatedClient();
    for (let round = 0; round < 20; round++) {
      const from = c.messages.length;
      const reply = await c.execute('cont', undefined, `order-${round}`);
      const seen = c.messages.slice(from);
      const resumeAt = seen.findIndex((m) => m.event === 'RESUME');
      expect(resumeAt).toBeGreaterThanOrEqual(0);
      expect(resumeAt).toBeLessThan(seen.indexOf(reply));
      await c.waitFor((m) => m.event === 'STOP' && c.messages.indexOf(m) >= from, 5000);
    }
    c.close();
  });
});

describe('slow and dead clients', () => {
  it('cuts off a client that stops reading while another keeps working', async () => {
    const slow = await negotiatedClient();
    const healthy = await negotiatedClient();
    const socket = (slow.ws as unknown as { _socket: net.Socket })._socket;
    socket.pause();
    // Loopback socket buffers absorb a few MiB before the proxy's own queue grows: send plenty.
    for (let i = 0; i < 150; i++) slow.send({ execute: 'query-qmp-schema', id: i });
    // A paused socket never reads the close either: watch the proxy's side, then let the client see it.
    const vm = running.running.hub.get('vm')!;
    const before = vm.clientCount;
    await eventually(
      'the slow client to be cut off',
      () => (vm.clientCount < before ? true : undefined),
      50_000,
    );
    expect(vm.clientCount).toBe(before - 1);
    socket.resume();
    const closed = await slow.closed;
    expect(closed.code === CloseCode.SLOW_CLIENT || closed.code === 1006).toBe(true);
    expect(await healthy.execute('query-status', undefined, 'ok')).toMatchObject({
      return: { status: expect.any(String) },
    });
    healthy.close();
  }, 60_000);
});
