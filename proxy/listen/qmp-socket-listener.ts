// `--listen-qmp NAME=unix:PATH`: the shared session as a plain QMP socket, for qmp-shell and scripts.
import { rmSync } from 'node:fs';
import net from 'node:net';
import type { ClientSession } from '../hub/client-session.ts';
import type { ClientTransport } from '../hub/client-transport.ts';
import type { VmHub } from '../hub/vm-hub.ts';
import { log } from '../log.ts';
import { JsonStreamer } from '../qmp/json-streamer.ts';

export interface QmpSocketListener {
  close(): Promise<void>;
}

export async function listenQmpSocket(
  vm: VmHub,
  path: string,
  maxLineBytes: number,
): Promise<QmpSocketListener> {
  rmSync(path, { force: true });
  // server.close() waits for every connection to end: a qmp-shell left open would hold it forever.
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    let session: ClientSession | null = null;
    const transport: ClientTransport = {
      kind: 'socket',
      remoteAddress: 'unix',
      send: (text) => {
        if (!socket.destroyed) socket.write(`${text}\r\n`);
      },
      bufferedBytes: () => socket.writableLength,
      close: (code, reason) => {
        log.info('qmp socket client closed', { vm: vm.name, code, reason });
        socket.destroy();
      },
    };
    // Messages end where QEMU's streamer ends them, newline or not; each is answered in order.
    const streamer = new JsonStreamer((input) => session?.handleMessage(input), {
      maxMessageBytes: maxLineBytes,
    });
    socket.on('data', (chunk) => streamer.push(chunk));
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      sockets.delete(socket);
      if (session) vm.detach(session);
    });
    session = vm.attach(transport, { role: 'operator', remoteAddress: 'unix' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        rmSync(path, { force: true });
      }),
  };
}
