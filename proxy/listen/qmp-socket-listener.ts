// `--listen-qmp NAME=unix:PATH`: the shared session as a plain QMP socket, for qmp-shell and scripts.
// Its clients are operators: the socket file's permissions are the only gate, so it is made 0600 (or
// 0660 for one named group), never replaces a file it did not make, and counts against the client limits.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, lstatSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import net from 'node:net';
import type { ClientSession } from '../hub/client-session.ts';
import type { ClientTransport } from '../hub/client-transport.ts';
import type { VmHub } from '../hub/vm-hub.ts';
import { log } from '../log.ts';
import { JsonStreamer } from '../qmp/json-streamer.ts';

export interface QmpSocketListener {
  close(): Promise<void>;
}

export interface QmpSocketOptions {
  /** Why one more client would be one too many (`--max-clients`, `--max-clients-per-vm`), or null. */
  admissionProblem?: () => string | null;
  /** `--listen-qmp-group`: this group may connect too (0660, the socket's group set to it). */
  groupId?: number;
}

export class ListenQmpError extends Error {
  override readonly name = 'ListenQmpError';
}

/**
 * Frees `path` for a new socket only when what is there is a socket nobody answers on (one left by a
 * console that was killed). Anything else, a regular file, a directory, a live socket, is refused.
 */
async function clearStaleSocket(path: string): Promise<void> {
  let stat: ReturnType<typeof lstatSync>;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket())
    throw new ListenQmpError(`--listen-qmp ${path}: a file that is not a socket is there; not replacing it`);
  const live = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (live) throw new ListenQmpError(`--listen-qmp ${path}: another process is listening on that socket`);
  rmSync(path, { force: true });
}

/** A group name from /etc/group, or a number, as the gid `--listen-qmp-group` names. */
export function resolveGroup(group: string): number {
  if (/^\d+$/.test(group)) return Number(group);
  const line = readFileSync('/etc/group', 'utf8')
    .split('\n')
    .find((l) => l.split(':')[0] === group);
  const gid = line ? Number(line.split(':')[2]) : Number.NaN;
  if (!Number.isInteger(gid)) throw new ListenQmpError(`--listen-qmp-group: no group "${group}"`);
  return gid;
}

/**
 * The uid of the process at the other end of an accepted unix socket, from the kernel's socket table
 * (`ss`: the peer's inode, then the process holding it; Node exposes no SO_PEERCRED). Null when that
 * process is not visible to us.
 */
function peerUid(socket: net.Socket): Promise<number | null> {
  const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
  if (fd === undefined || fd < 0) return Promise.resolve(null);
  let inode: string;
  try {
    inode = /socket:\[(\d+)\]/.exec(readlinkSync(`/proc/self/fd/${fd}`))?.[1] ?? '';
  } catch {
    return Promise.resolve(null);
  }
  return new Promise((resolve) => {
    execFile('ss', ['-xpHn'], { timeout: 2000, maxBuffer: 16 * 1024 * 1024 }, (err, out) => {
      if (err) return resolve(null);
      const rows = out.split('\n').map((l) => l.trim().split(/\s+/));
      // Columns: netid state recv-q send-q local-addr local-inode peer-addr peer-inode [users:((..,pid=N,..))]
      const mine = rows.find((r) => r[5] === inode);
      const peer = mine && rows.find((r) => r[5] === mine[7]);
      const pid = peer ? /pid=(\d+)/.exec(peer.slice(8).join(' '))?.[1] : undefined;
      if (!pid) return resolve(null);
      try {
        const uid = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
        resolve(uid === undefined ? null : Number(uid));
      } catch {
        resolve(null);
      }
    });
  });
}

export async function listenQmpSocket(
  vm: VmHub,
  path: string,
  maxLineBytes: number,
  options: QmpSocketOptions = {},
): Promise<QmpSocketListener> {
  await clearStaleSocket(path);
  // server.close() waits for every connection to end: a qmp-shell left open would hold it forever.
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => sockets.delete(socket));
    // Who connected, for the audit records; the socket stays unread (paused) until the session exists.
    void peerUid(socket).then((uid) => {
      if (!socket.destroyed) serve(socket, uid === null ? 'unix:uid=?' : `unix:uid=${uid}`);
    });
  });
  const serve = (socket: net.Socket, remoteAddress: string): void => {
    const tooMany = options.admissionProblem?.() ?? null;
    if (tooMany) {
      // Said in QMP, the only thing a plain socket client reads; then closed.
      socket.end(
        `${JSON.stringify({ error: { class: 'GenericError', desc: `QMP Console: ${tooMany}` } })}\r\n`,
      );
      return;
    }
    let session: ClientSession | null = null;
    const transport: ClientTransport = {
      kind: 'socket',
      remoteAddress,
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
    socket.on('close', () => {
      if (session) vm.detach(session);
    });
    session = vm.attach(transport, { role: 'operator', remoteAddress });
    socket.on('data', (chunk) => streamer.push(chunk));
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  // The console runs under umask 077, so the socket is born 0600; set it anyway for embedders.
  if (options.groupId !== undefined) {
    chownSync(path, process.getuid?.() ?? -1, options.groupId);
    chmodSync(path, 0o660);
  } else {
    chmodSync(path, 0o600);
  }
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        rmSync(path, { force: true });
      }),
  };
}
