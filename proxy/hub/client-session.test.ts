// One client's session over a scripted QEMU that never answers one command (a blocked main loop).
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CloseCode } from '../../protocol/api.ts';
import { UpstreamSession } from '../qmp/upstream-session.ts';
import { ClientSession } from './client-session.ts';
import type { ClientTransport } from './client-transport.ts';

const greeting =
  '{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "x"}, "capabilities": ["oob"]}}';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Answers qmp_capabilities; never answers anything else. */
async function stuckQemu(): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qmp-stuck-'));
  const sock = path.join(dir, 'q.sock');
  const conns = new Set<net.Socket>();
  const server = net.createServer((c) => {
    conns.add(c);
    c.on('error', () => {});
    c.write(`${greeting}\r\n`);
    c.on('data', (d) => {
      const m = /"execute":"qmp_capabilities".*"id":(\d+)/.exec(d.toString());
      if (m) c.write(`{"return": {}, "id": ${m[1]}}\r\n`);
    });
  });
  await new Promise<void>((r) => server.listen(sock, r));
  cleanups.push(() => {
    for (const c of conns) c.destroy();
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return sock;
}

describe('ClientSession', () => {
  it('does not hold unbounded proxy-made replies behind a command QEMU has not answered', async () => {
    const upstream = new UpstreamSession({ name: 'vm', address: { kind: 'unix', path: await stuckQemu() } });
    cleanups.push(() => upstream.stop());
    const connected = new Promise<void>((r) => upstream.onStatus((s) => s.state === 'connected' && r()));
    upstream.start();
    await connected;

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
    // A scripted QEMU that answers every command but the first at once, with a large reply.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qmp-stuck-'));
    const sock = path.join(dir, 'q.sock');
    const server = net.createServer((c) => {
      c.on('error', () => {});
      c.write(`${greeting}\r\n`);
      let buf = '';
      c.on('data', (d) => {
        buf += d.toString();
        for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
          const cmd = JSON.parse(buf.slice(0, i)) as { execute: string; id: number };
          buf = buf.slice(i + 1);
          if (cmd.execute === 'qmp_capabilities') c.write(`{"return": {}, "id": ${cmd.id}}\r\n`);
          else if (cmd.execute !== 'hang')
            c.write(`{"return": "${'x'.repeat(10_000)}", "id": ${cmd.id}}\r\n`);
        }
      });
    });
    await new Promise<void>((r) => server.listen(sock, r));
    cleanups.push(() => {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const upstream = new UpstreamSession({ name: 'vm', address: { kind: 'unix', path: sock } });
    cleanups.push(() => upstream.stop());
    const connected = new Promise<void>((r) => upstream.onStatus((s) => s.state === 'connected' && r()));
    upstream.start();
    await connected;
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
