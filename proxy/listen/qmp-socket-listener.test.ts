// The plain QMP socket against a scripted QEMU: a reply QEMU has not yet sent is easy to hold back here.
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { VmHub } from '../hub/vm-hub.ts';
import { qmpReturn, startFakeQemu } from '../test-support/fake-qemu.ts';
import { listenQmpSocket } from './qmp-socket-listener.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A QEMU that answers every command after `delayMs`. */
async function slowQemu(delayMs: number): Promise<string> {
  const peer = await startFakeQemu({
    onCommand: (cmd, reply) => setTimeout(() => reply(qmpReturn(cmd.id)), delayMs),
  });
  cleanups.push(() => peer.close());
  return peer.sock;
}

describe('listenQmpSocket', () => {
  it('answers a line over the size limit in order, after the replies to earlier commands', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'qmp-listen-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const qemuSock = await slowQemu(100);
    const vm = new VmHub(
      { name: 'vm', address: { kind: 'unix', path: qemuSock } },
      { session: { maxInFlight: 10, maxBufferedBytes: 1 << 20 } },
    );
    cleanups.push(() => vm.stop());
    const connected = new Promise<void>((r) => vm.onStatus((_v, s) => s.state === 'connected' && r()));
    vm.start();
    await connected;
    const listenPath = path.join(dir, 'shared.qmp');
    const listener = await listenQmpSocket(vm, listenPath, 1024);
    cleanups.push(() => listener.close());

    const client = net.connect(listenPath);
    cleanups.push(() => client.destroy());
    const lines: string[] = [];
    let buf = '';
    const got = (n: number) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (lines.length >= n) resolve();
          else client.once('data', check);
        };
        check();
      });
    client.setEncoding('utf8');
    client.on('data', (d: string) => {
      buf += d;
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        lines.push(buf.slice(0, i).replace(/\r$/, ''));
        buf = buf.slice(i + 1);
      }
    });
    await got(1);
    client.write('{"execute":"qmp_capabilities"}\n{"execute":"slow","id":1}\n');
    await got(2);
    client.write(`${'x'.repeat(2048)}\n`);
    await got(4);
    expect(JSON.parse(lines[1]!)).toEqual({ return: {} });
    expect(JSON.parse(lines[2]!)).toEqual({ return: {}, id: 1 });
    expect(JSON.parse(lines[3]!)).toMatchObject({ error: { class: 'GenericError' } });
  });
});
