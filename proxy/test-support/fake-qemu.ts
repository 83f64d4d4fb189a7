// The one scripted QEMU for unit tests: a unix-socket QMP peer that greets like QEMU 7.2, answers
// `qmp_capabilities` and hands every other command to the test, for what a real QEMU cannot be made
// to do on demand (never answer, answer late, send malformed or oversized lines, hang up).
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const FAKE_QEMU_GREETING =
  '{"QMP": {"version": {"qemu": {"micro": 22, "minor": 2, "major": 7}, "package": "x"}, "capabilities": ["oob"]}}';

export interface FakeQemuCommand {
  execute: string;
  id: number;
  arguments?: Record<string, unknown>;
}

export interface FakeQemuOptions {
  /** Every command but `qmp_capabilities`; `reply` writes raw text (lines end with CRLF, as QEMU's). */
  onCommand?: (command: FakeQemuCommand, reply: (text: string) => void) => void;
  /** The first line sent to each connection (QEMU's greeting unless given). */
  greeting?: string;
}

export interface FakeQemu {
  /** The socket path: the target `{kind: 'unix', path: sock}`. */
  sock: string;
  /** How many connections it has accepted. */
  readonly connections: number;
  /** Hangs up on every client (QEMU going away); the socket keeps listening. */
  dropAll(): void;
  close(): Promise<void>;
}

/** `{"return": VALUE, "id": N}` as QEMU writes it. */
export const qmpReturn = (id: number, value: unknown = {}) =>
  `{"return": ${JSON.stringify(value)}, "id": ${id}}\r\n`;

export async function startFakeQemu(options: FakeQemuOptions = {}): Promise<FakeQemu> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qmp-fake-'));
  const sock = path.join(dir, 'q.sock');
  const conns = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((c) => {
    connections++;
    conns.add(c);
    c.on('error', () => {});
    c.on('close', () => conns.delete(c));
    c.write(`${options.greeting ?? FAKE_QEMU_GREETING}\r\n`);
    let buf = '';
    c.on('data', (d) => {
      buf += d.toString();
      for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
        const command = JSON.parse(buf.slice(0, i)) as FakeQemuCommand;
        buf = buf.slice(i + 1);
        if (command.execute === 'qmp_capabilities') c.write(qmpReturn(command.id));
        else options.onCommand?.(command, (text) => c.destroyed || c.write(text));
      }
    });
  });
  await new Promise<void>((r) => server.listen(sock, r));
  return {
    sock,
    get connections() {
      return connections;
    },
    dropAll() {
      for (const c of conns) c.destroy();
    },
    close() {
      for (const c of conns) c.destroy();
      return new Promise<void>((r) =>
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          r();
        }),
      );
    },
  };
}
