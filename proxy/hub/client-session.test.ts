// One client's session over a scripted QEMU that never answers one command (a blocked main loop).
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol/api.ts';
import { UpstreamSession } from '../qmp/upstream-session.ts';
import { type FakeQemuOptions, qmpReturn, startFakeQemu } from '../test-support/fake-qemu.ts';
import { ClientSession } from './client-session.ts';
import type { ClientTransport } from './client-transport.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** An upstream session to a scripted QEMU, connected. */
async function connectedTo(onCommand: FakeQemuOptions['onCommand']): Promise<UpstreamSession> {
  const peer = await startFakeQemu({ onCommand });
  cleanups.push(() => peer.close());
  const upstream = new UpstreamSession({ name: 'vm', address: { kind: 'unix', path: peer.sock } });
  cleanups.push(() => upstream.stop());
  const connected = new Promise<void>((r) => upstream.onStatus((s) => s.state === 'connected' && r()));
  upstream.start();
  await connected;
  return upstream;
}

describe('ClientSession', () => {
  it('does not hold unbounded proxy-made replies behind a command QEMU has not answered', async () => {
    // A blocked main loop: nothing is ever answered.
    const upstream = await connectedTo(() => {});

    let sent = 0;
    let closedWith: number | null = null;
    const transport: ClientTransport = {
      kind: 'socket',
      remoteAddress: 'test',
      send: () => {
        sent++;
      },
      bufferedBytes: () => 0,
      close: (code) => {
        closedWith = code;
      },
    };
    const session = new ClientSession(
      'vm',
      upstream,
      transport,
      { role: 'operator', remoteAddress: 'test' },
      {
        maxInFlight: 10,
        maxBufferedBytes: 64 * 1024,
      },
    );
    session.greet(upstream.greetingLine!);
    session.handleMessage('{"execute":"qmp_capabilities"}');
    session.handleMessage('{"execute":"hang","id":1}');
    // Each of these is answered by the proxy itself, but must wait behind "hang" to keep reply order.
    for (let i = 0; i < 10_000 && closedWith === null; i++) session.handleMessage('{"bad json');
    expect(sent).toBe(2);
    expect(closedWith).toBe(CloseCode.SLOW_CLIENT);
  });

  it('also bounds replies from QEMU held behind an earlier command it has not answered', async () => {
    // A QEMU that answers every command but the first at once, with a large reply.
    const upstream = await connectedTo((cmd, reply) => {
      if (cmd.execute !== 'hang') reply(qmpReturn(cmd.id, 'x'.repeat(10_000)));
    });
    let closed: (code: number) => void = () => {};
    const closedWith = new Promise<number>((r) => {
      closed = r;
    });
    const transport: ClientTransport = {
      kind: 'socket',
      remoteAddress: 'test',
      send: () => {},
      bufferedBytes: () => 0,
      close: (code) => closed(code),
    };
    const session = new ClientSession(
      'vm',
      upstream,
      transport,
      { role: 'operator', remoteAddress: 'test' },
      {
        maxInFlight: 100,
        maxBufferedBytes: 64 * 1024,
      },
    );
    session.greet(upstream.greetingLine!);
    session.handleMessage('{"execute":"qmp_capabilities"}');
    session.handleMessage('{"execute":"hang","id":0}');
    for (let i = 1; i < 50; i++) session.handleMessage(`{"execute":"big","id":${i}}`);
    expect(await closedWith).toBe(CloseCode.SLOW_CLIENT);
  });
});
