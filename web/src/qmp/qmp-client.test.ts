import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { QmpEvent } from '../../../protocol/qmp.ts';
import { fakeSocketFactory, GREETING } from '../test-support/fake-qmp-socket.ts';
import { QmpClient, type QmpClientState } from './qmp-client.ts';
import { QmpDisconnectedError, QmpError } from './qmp-errors.ts';

function setup() {
  const factory = fakeSocketFactory();
  const client = new QmpClient({ url: 'ws://console.test/qmp/vm1', createSocket: factory.create });
  const states: QmpClientState[] = [];
  client.subscribe(() => {
    const s = client.getSnapshot().state;
    if (states.at(-1) !== s) states.push(s);
  });
  return { client, factory, states };
}

/** Lets promise callbacks (the negotiation reply) run. */
const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve));

beforeEach(() => {
  vi.useFakeTimers();
  vi.spyOn(console, 'warn').mockImplementation(() => {});
  vi.spyOn(console, 'error').mockImplementation(() => {});
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

async function readyClient() {
  const t = setup();
  t.client.connect();
  t.factory.last().handshake();
  await flush();
  expect(t.client.state).toBe('ready');
  return t;
}

describe('QmpClient negotiation', () => {
  it('reads the greeting, sends qmp_capabilities, then is ready', async () => {
    const { client, factory, states } = setup();
    expect(client.state).toBe('idle');
    client.connect();
    const socket = factory.last();
    expect(socket.url).toBe('ws://console.test/qmp/vm1');
    expect(client.state).toBe('connecting');

    socket.open();
    socket.receive(GREETING);
    expect(client.state).toBe('negotiating');
    expect(client.version).toEqual(GREETING.QMP.version);
    expect(client.getSnapshot().capabilities).toEqual(['oob']);
    expect(socket.sent).toEqual([{ execute: 'qmp_capabilities', id: 1 }]);

    socket.reply('qmp_capabilities');
    await flush();
    expect(states).toEqual(['connecting', 'negotiating', 'ready']);
    expect(client.getSnapshot()).toMatchObject({ error: null, attempt: 0, readyCount: 1 });
  });

  it('refuses commands before it is ready, without sending them', async () => {
    const { client, factory } = setup();
    client.connect();
    factory.last().open();
    const err = await client.execute('query-status').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpDisconnectedError);
    expect((err as QmpDisconnectedError).interrupted).toBe(false);
    expect(factory.last().sent).toEqual([]);
  });

  it('treats a first message that is not a greeting as a protocol failure and retries', () => {
    const { client, factory } = setup();
    client.connect();
    factory.last().open();
    factory.last().receive({ return: {}, id: 1 });
    expect(client.state).toBe('reconnecting');
    expect(client.getSnapshot().error).toMatch(/greeting/);
    expect(factory.last().closedByClient).not.toBeNull();
  });

  it('gives up on a peer that never greets, and retries', () => {
    const { client, factory } = setup();
    client.connect();
    factory.last().open();
    vi.advanceTimersByTime(10_000);
    expect(client.state).toBe('reconnecting');
    vi.advanceTimersByTime(100);
    expect(factory.sockets).toHaveLength(2);
  });
});

describe('QmpClient commands', () => {
  it('routes replies by id, in any order, with short numeric ids', async () => {
    const { client, factory } = await readyClient();
    const socket = factory.last();
    const status = client.execute('query-status');
    const block = client.execute('query-block');
    const name = client.execute('query-name', {});
    expect(socket.sent.slice(1)).toEqual([
      { execute: 'query-status', id: 2 },
      { execute: 'query-block', id: 3 },
      { execute: 'query-name', arguments: {}, id: 4 },
    ]);

    socket.receive({ return: { name: 'vm1' }, id: 4 });
    socket.receive({ return: [], id: 3 });
    socket.receive({ return: { running: false, singlestep: false, status: 'prelaunch' }, id: 2 });

    await expect(name).resolves.toEqual({ name: 'vm1' });
    await expect(block).resolves.toEqual([]);
    await expect(status).resolves.toEqual({ running: false, singlestep: false, status: 'prelaunch' });
  });

  it('rejects with a QmpError that keeps the class, desc and the command sent', async () => {
    const { client, factory } = await readyClient();
    const p = client.execute('query-balloon');
    factory.last().replyError('query-balloon', 'DeviceNotActive', 'No balloon device has been activated');
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(QmpError);
    const qmpErr = err as QmpError;
    expect(qmpErr.errorClass).toBe('DeviceNotActive');
    expect(qmpErr.desc).toBe('No balloon device has been activated');
    expect(qmpErr.command).toEqual({ execute: 'query-balloon', id: 2 });
    expect(qmpErr.message).toBe('query-balloon: DeviceNotActive: No balloon device has been activated');
  });

  it('drops a reply with an unknown id and keeps going', async () => {
    const { client, factory } = await readyClient();
    const p = client.execute('query-status');
    factory.last().receive({ return: 'stray', id: 99 });
    expect(client.state).toBe('ready');
    factory.last().reply('query-status', { status: 'running', running: true, singlestep: false });
    await expect(p).resolves.toMatchObject({ status: 'running' });
    expect(console.warn).toHaveBeenCalled();
  });

  it('treats an error without id as a protocol failure, failing pending commands', async () => {
    const { client, factory } = await readyClient();
    const p = client.execute('query-status');
    factory.last().receive({ error: { class: 'GenericError', desc: 'JSON parse error' } });
    await expect(p).rejects.toBeInstanceOf(QmpDisconnectedError);
    expect(client.state).toBe('reconnecting');
  });

  it('treats an unparsable frame as a protocol failure', async () => {
    const { client, factory } = await readyClient();
    factory.last().receiveRaw('{"return": ');
    expect(client.state).toBe('reconnecting');
    expect(client.getSnapshot().error).toMatch(/unparsable/);
  });
});

describe('QmpClient events', () => {
  it('delivers events to every subscriber until they unsubscribe', async () => {
    const { client, factory } = await readyClient();
    const a: QmpEvent[] = [];
    const b: QmpEvent[] = [];
    const offA = client.onEvent((e) => a.push(e));
    client.onEvent((e) => b.push(e));

    factory.last().event('STOP');
    offA();
    factory.last().event('RESUME');

    expect(a.map((e) => e.event)).toEqual(['STOP']);
    expect(b.map((e) => e.event)).toEqual(['STOP', 'RESUME']);
    expect(b[0]).toEqual({ event: 'STOP', timestamp: { seconds: 1700000000, microseconds: 1 } });
  });

  it('keeps delivering when a listener throws', async () => {
    const { client, factory } = await readyClient();
    const seen: string[] = [];
    client.onEvent(() => {
      throw new Error('boom');
    });
    client.onEvent((e) => seen.push(e.event));
    factory.last().event('BLOCK_IO_ERROR', { device: 'ide0-hd0', operation: 'read', action: 'stop' });
    expect(seen).toEqual(['BLOCK_IO_ERROR']);
  });

  it('interleaves events with replies', async () => {
    const { client, factory } = await readyClient();
    const events: string[] = [];
    client.onEvent((e) => events.push(e.event));
    const p = client.execute('cont');
    factory.last().event('RESUME');
    factory.last().reply('cont');
    await expect(p).resolves.toEqual({});
    expect(events).toEqual(['RESUME']);
  });
});

describe('QmpClient disconnection', () => {
  it('rejects pending commands with an interrupted error, never a made-up reply', async () => {
    const { client, factory } = await readyClient();
    const p1 = client.execute('query-status');
    const p2 = client.execute('stop');
    factory.last().serverClose(4001, 'QEMU connection lost: QEMU closed the QMP connection');
    for (const p of [p1, p2]) {
      const err = await p.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QmpDisconnectedError);
      expect((err as QmpDisconnectedError).interrupted).toBe(true);
      expect((err as Error).message).toBe(
        `${(err as QmpDisconnectedError).command.execute} interrupted: QEMU connection lost: QEMU closed the QMP connection (4001)`,
      );
    }
  });

  it('reconnects after 4001 with backoff, and is ready again after a new greeting', async () => {
    const { client, factory, states } = await readyClient();
    factory.last().serverClose(4001);
    expect(client.state).toBe('reconnecting');
    expect(client.getSnapshot()).toMatchObject({ closeCode: 4001, attempt: 1 });
    expect(client.version).toEqual(GREETING.QMP.version); // kept for display

    vi.advanceTimersByTime(99);
    expect(factory.sockets).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(factory.sockets).toHaveLength(2);

    // QEMU is still away: the proxy refuses the next attempts.
    factory.last().serverClose(1006);
    expect(client.getSnapshot().attempt).toBe(2);
    vi.advanceTimersByTime(199);
    expect(factory.sockets).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(factory.sockets).toHaveLength(3);
    factory.last().open();
    factory.last().serverClose(4001);
    vi.advanceTimersByTime(400);
    expect(factory.sockets).toHaveLength(4);

    factory.last().handshake();
    await flush();
    expect(client.state).toBe('ready');
    expect(client.getSnapshot()).toMatchObject({ attempt: 0, readyCount: 2, error: null });
    expect(states).toEqual(['connecting', 'negotiating', 'ready', 'reconnecting', 'negotiating', 'ready']);

    // Ids keep growing across connections, so a late reply can never be mistaken for a new one.
    const p = client.execute('query-status');
    expect(factory.last().lastSent('query-status').id).toBe(3);
    factory.last().reply('query-status', { status: 'running', running: true, singlestep: false });
    await expect(p).resolves.toMatchObject({ running: true });
  });

  it('reconnects after the console cut it off for falling behind (4002)', async () => {
    const { client, factory } = await readyClient();
    factory.last().serverClose(4002, 'client stopped reading: 17000000 bytes buffered');
    expect(client.state).toBe('reconnecting');
    vi.advanceTimersByTime(100);
    expect(factory.sockets).toHaveLength(2);
    factory.last().handshake();
    await flush();
    expect(client.state).toBe('ready');
  });

  it('caps the backoff at about 3 s', () => {
    const { client, factory } = setup();
    client.connect();
    for (let i = 0; i < 10; i++) {
      factory.last().serverClose(1006);
      vi.advanceTimersByTime(3000);
    }
    expect(factory.sockets).toHaveLength(11);
    factory.last().serverClose(1006);
    vi.advanceTimersByTime(2999);
    expect(factory.sockets).toHaveLength(11);
    vi.advanceTimersByTime(1);
    expect(factory.sockets).toHaveLength(12);
  });

  it('does not retry a close code that says stop (too many clients)', async () => {
    const { client, factory } = await readyClient();
    factory.last().serverClose(4004);
    expect(client.state).toBe('closed');
    expect(client.getSnapshot().error).toBe('closed by the console: too many clients (4004)');
    vi.advanceTimersByTime(10_000);
    expect(factory.sockets).toHaveLength(1);
  });

  it('close() is for good: pending commands rejected, socket closed, no reconnection', async () => {
    const { client, factory } = await readyClient();
    const p = client.execute('query-status');
    client.close();
    await expect(p).rejects.toBeInstanceOf(QmpDisconnectedError);
    expect(client.state).toBe('closed');
    expect(factory.last().closedByClient).toEqual({ code: 1000, reason: 'client closed' });
    vi.advanceTimersByTime(10_000);
    expect(factory.sockets).toHaveLength(1);
    await expect(client.execute('query-status')).rejects.toBeInstanceOf(QmpDisconnectedError);
  });

  it('close() while waiting to retry cancels the retry', () => {
    const { client, factory } = setup();
    client.connect();
    factory.last().serverClose(1006);
    client.close();
    vi.advanceTimersByTime(10_000);
    expect(factory.sockets).toHaveLength(1);
    expect(client.state).toBe('closed');
  });
});
