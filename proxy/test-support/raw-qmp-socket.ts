// A QMP client that writes exactly the bytes a test gives it and keeps every line it reads, raw: for
// comparing the console's plain socket with QEMU's own, byte for byte.
import net from 'node:net';

export interface RawQmpSocket {
  /** Every line received so far, without its CRLF, the greeting first. */
  readonly lines: string[];
  write(bytes: string | Buffer): void;
  /** Resolves with the lines after index `from` up to and including the first that `until` accepts. */
  readUntil(from: number, until: (line: string) => boolean, timeoutMs?: number): Promise<string[]>;
  /** Half-closes as a client library does on disconnect; resolves when the peer has closed too. */
  end(): Promise<{ hadError: boolean }>;
  destroy(): void;
}

export async function connectRawQmp(path: string): Promise<RawQmpSocket> {
  const socket = net.connect(path);
  const lines: string[] = [];
  const waiters = new Set<() => void>();
  let buffer = '';
  let closed: { hadError: boolean } | null = null;
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffer += chunk;
    for (let nl = buffer.indexOf('\n'); nl >= 0; nl = buffer.indexOf('\n')) {
      lines.push(buffer.slice(0, nl).replace(/\r$/, ''));
      buffer = buffer.slice(nl + 1);
    }
    for (const w of waiters) w();
  });
  socket.on('error', () => {});
  const closedPromise = new Promise<{ hadError: boolean }>((resolve) =>
    socket.on('close', (hadError) => {
      closed = { hadError };
      for (const w of waiters) w();
      resolve(closed);
    }),
  );
  const readUntil = (from: number, until: (line: string) => boolean, timeoutMs = 10_000) =>
    new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(
          new Error(`no matching line within ${timeoutMs} ms; got ${JSON.stringify(lines.slice(from))}`),
        );
      }, timeoutMs);
      const check = (): void => {
        const at = lines.findIndex((line, i) => i >= from && until(line));
        if (at < 0 && !closed) return;
        clearTimeout(timer);
        waiters.delete(check);
        if (at < 0)
          reject(new Error(`closed before a matching line; got ${JSON.stringify(lines.slice(from))}`));
        else resolve(lines.slice(from, at + 1));
      };
      waiters.add(check);
      check();
    });
  await readUntil(0, (line) => line.startsWith('{"QMP"'));
  return {
    lines,
    write: (bytes) => socket.write(bytes),
    readUntil,
    end: () => {
      socket.end();
      return closedPromise;
    },
    destroy: () => socket.destroy(),
  };
}
