import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { QmpDisconnectedError } from '../qmp/qmp-errors.ts';
import { fakeSocketFactory } from '../test-support/fake-qmp-socket.ts';
import { qmpClients } from './qmp-clients.ts';
import { qmpQueryKey, qmpQueryOptions, refreshQueriesOnReady } from './qmp-query.ts';

// Fake timers: reconnect delays and the registry's linger pass when the test says so, not on the wall clock.
const flush = () => vi.advanceTimersByTimeAsync(0);

let sockets: ReturnType<typeof fakeSocketFactory>;
let queryClient: QueryClient;
let stopRefreshing: () => void;

beforeEach(() => {
  vi.useFakeTimers();
  sockets = fakeSocketFactory();
  qmpClients.reset({ createSocket: sockets.create, urlFor: (vm) => `ws://t/qmp/${vm}`, lingerMs: 50 });
  queryClient = new QueryClient();
  stopRefreshing = refreshQueriesOnReady(queryClient);
});

afterEach(() => {
  stopRefreshing();
  queryClient.clear();
  qmpClients.reset();
  vi.useRealTimers();
});

describe('qmpQueryKey', () => {
  it('goes from general to specific, with arguments only when given', () => {
    expect(qmpQueryKey('vm1', 'query-status')).toEqual(['vm', 'vm1', 'query-status']);
    expect(qmpQueryKey('vm1', 'query-blockstats', { 'query-nodes': true })).toEqual([
      'vm',
      'vm1',
      'query-blockstats',
      { 'query-nodes': true },
    ]);
    expect(qmpQueryOptions('vm1', 'query-status').queryKey).toEqual(['vm', 'vm1', 'query-status']);
  });
});

describe('qmpQueryOptions', () => {
  it('waits for the client to be ready, runs the command, and refreshes after a reconnect', async () => {
    const release = qmpClients.retain('vm1');
    const observer = new QueryObserver(queryClient, qmpQueryOptions('vm1', 'query-status'));
    const results: unknown[] = [];
    const unsubscribe = observer.subscribe((r) => {
      if (r.isSuccess) results.push(r.data);
    });

    // Not ready: nothing is sent, the query waits.
    const socket = sockets.last();
    socket.open();
    await flush();
    expect(observer.getCurrentResult()).toMatchObject({ status: 'pending', fetchStatus: 'idle' });

    socket.handshake();
    await flush();
    expect(socket.lastSent('query-status')).toEqual({ execute: 'query-status', id: 2 });
    socket.reply('query-status', { status: 'prelaunch', running: false, singlestep: false });
    await flush();
    expect(results).toEqual([{ status: 'prelaunch', running: false, singlestep: false }]);

    // QEMU goes away and comes back: the query runs again on the new connection.
    socket.serverClose(4001);
    await vi.advanceTimersByTimeAsync(120);
    const again = sockets.last();
    expect(again).not.toBe(socket);
    again.handshake();
    await flush();
    again.reply('query-status', { status: 'running', running: true, singlestep: false });
    await flush();
    expect(results.at(-1)).toEqual({ status: 'running', running: true, singlestep: false });

    unsubscribe();
    release();
  });

  it('fails with the disconnected error, not a made-up result, when the connection drops mid-command', async () => {
    const release = qmpClients.retain('vm1');
    const socket = sockets.last();
    socket.handshake();
    await flush();
    const p = queryClient.fetchQuery(qmpQueryOptions('vm1', 'query-block'));
    await flush();
    socket.serverClose(4001);
    await expect(p).rejects.toBeInstanceOf(QmpDisconnectedError);
    release();
  });
});

describe('qmpClients registry', () => {
  it('shares one client per VM and closes it a while after the last user leaves', async () => {
    const releaseA = qmpClients.retain('vm1');
    const releaseB = qmpClients.retain('vm1');
    expect(sockets.sockets).toHaveLength(1);
    const client = qmpClients.get('vm1');
    expect(qmpClients.get('vm2')).not.toBe(client);

    releaseA();
    releaseA(); // idempotent
    releaseB();
    expect(client.state).toBe('connecting');
    await vi.advanceTimersByTimeAsync(80);
    expect(client.state).toBe('closed');
    expect(qmpClients.peek('vm1')).toBeUndefined();
  });

  it('reuses the client when a user comes back before the linger ends', async () => {
    const release = qmpClients.retain('vm1');
    const client = qmpClients.get('vm1');
    release();
    const again = qmpClients.retain('vm1');
    await vi.advanceTimersByTimeAsync(80);
    expect(qmpClients.get('vm1')).toBe(client);
    expect(client.state).toBe('connecting');
    expect(sockets.sockets).toHaveLength(1);
    again();
  });

  it('tells ready listeners each time a client becomes ready', async () => {
    const seen = vi.fn();
    const off = qmpClients.onReady(seen);
    const release = qmpClients.retain('vm1');
    sockets.last().handshake();
    await flush();
    expect(seen).toHaveBeenCalledTimes(1);
    expect(seen).toHaveBeenCalledWith('vm1', qmpClients.get('vm1'));
    off();
    release();
  });
});
