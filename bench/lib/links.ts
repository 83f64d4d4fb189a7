// One QMP client connection, whatever carries it: QEMU's unix socket, the console's WebSocket (one JSON
// text per frame), or a byte-stream WebSocket (websockify, the bare bridge: raw QMP bytes in binary
// frames). The measuring loops run the same code over each.
import net from 'node:net';
import WebSocket from 'ws';

export interface QmpLink {
  readonly path: string;
  /** Sends one QMP message: a JSON text without terminator. */
  send(text: string): void;
  /** Called with every message (reply, event) as text, in order. */
  onMessage: (text: string) => void;
  /** The greeting line. */
  readonly greeting: string;
  close(): Promise<void>;
}

/** Splits CRLF/LF-terminated QMP lines out of a byte stream. */
function lineSplitter(emit: (line: string) => void): (chunk: Buffer) => void {
  let rest = '';
  return (chunk) => {
    const text = rest + chunk.toString('utf8');
    let start = 0;
    let nl = text.indexOf('\n', start);
    while (nl !== -1) {
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (end > start) emit(text.slice(start, end));
      start = nl + 1;
      nl = text.indexOf('\n', start);
    }
    rest = text.slice(start);
  };
}

function firstMessage(link: { onMessage: (t: string) => void }, what: string, timeoutMs = 10_000) {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${what}: no QMP greeting in ${timeoutMs} ms`)),
      timeoutMs,
    );
    link.onMessage = (text) => {
      clearTimeout(timer);
      link.onMessage = () => {};
      resolve(text);
    };
  });
}

/** Straight to QEMU's (or the fake server's) unix socket. Writes in one tick leave in one syscall. */
export function connectUnix(socketPath: string, path = 'direct'): Promise<QmpLink> {
  return connectStream(net.connect(socketPath), path);
}

/** Straight to a `-qmp tcp:` monitor (our side with TCP_NODELAY; QEMU's side as configured). */
export function connectTcp(port: number, path: string): Promise<QmpLink> {
  return connectStream(net.connect({ port, host: '127.0.0.1', noDelay: true }), path);
}

async function connectStream(socket: net.Socket, path: string): Promise<QmpLink> {
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  let corked = false;
  const link = {
    path,
    greeting: '',
    onMessage: (_t: string) => {},
    send(text: string) {
      if (!corked) {
        corked = true;
        socket.cork();
        process.nextTick(() => {
          corked = false;
          socket.uncork();
        });
      }
      socket.write(`${text}\n`);
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.destroyed) return resolve();
        socket.once('close', () => resolve());
        socket.destroy();
      }),
  };
  socket.on(
    'data',
    lineSplitter((line) => link.onMessage(line)),
  );
  socket.on('error', () => {});
  const greeting = firstMessage(link, path);
  link.greeting = await greeting;
  return link;
}

/**
 * Opens a WebSocket with `onData` attached from the start: a server may send its greeting in the same
 * packet as the handshake, before `open` resolves.
 */
async function openWebSocket(
  url: string,
  options: WebSocket.ClientOptions,
  what: string,
  onData: (data: Buffer) => void,
): Promise<WebSocket> {
  const ws = new WebSocket(url, { perMessageDeflate: false, skipUTF8Validation: true, ...options });
  ws.on('message', onData);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', (err) => reject(new Error(`${what}: ${err.message}`)));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`${what}: HTTP ${res.statusCode}`)));
  });
  ws.on('error', () => {});
  return ws;
}

function closeWebSocket(ws: WebSocket): Promise<void> {
  return new Promise<void>((resolve) => {
    if (ws.readyState === WebSocket.CLOSED) return resolve();
    ws.once('close', () => resolve());
    ws.close();
    setTimeout(() => ws.terminate(), 1000).unref();
  });
}

/** The console: one QMP message per text frame. */
export async function connectConsole(
  url: string,
  headers: Record<string, string>,
  path = 'console',
): Promise<QmpLink> {
  let ws: WebSocket | null = null;
  const link = {
    path,
    greeting: '',
    onMessage: (_t: string) => {},
    send: (text: string) => ws!.send(text),
    close: () => closeWebSocket(ws!),
  };
  const greeting = firstMessage(link, path);
  ws = await openWebSocket(url, { headers }, path, (data) => link.onMessage(data.toString('utf8')));
  link.greeting = await greeting;
  return link;
}

/** A byte-stream WebSocket (websockify, the bare bridge): raw QMP bytes in binary frames. */
export async function connectWsBytes(url: string, path: string): Promise<QmpLink> {
  let ws: WebSocket | null = null;
  const link = {
    path,
    greeting: '',
    onMessage: (_t: string) => {},
    send: (text: string) => ws!.send(Buffer.from(`${text}\n`), { binary: true }),
    close: () => closeWebSocket(ws!),
  };
  const greeting = firstMessage(link, path);
  ws = await openWebSocket(
    url,
    {},
    path,
    lineSplitter((line) => link.onMessage(line)),
  );
  link.greeting = await greeting;
  return link;
}

/** Sends one command and resolves with its reply (events in between are ignored). */
export function request(link: QmpLink, text: string, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${link.path}: no reply to ${text}`)), timeoutMs);
    link.onMessage = (reply) => {
      if (reply.includes('"event"')) return;
      clearTimeout(timer);
      link.onMessage = () => {};
      resolve(reply);
    };
    link.send(text);
  });
}

/**
 * Leaves capabilities negotiation, enabling `oob` when the greeting offers it: the console does so
 * upstream (QEMU then reads the monitor on its I/O thread), so every path compared is on the same terms.
 */
export async function negotiate(link: QmpLink): Promise<void> {
  const oob = /"capabilities"\s*:\s*\[[^\]]*"oob"/.test(link.greeting);
  const reply = await request(
    link,
    oob
      ? '{"execute":"qmp_capabilities","arguments":{"enable":["oob"]},"id":"n"}'
      : '{"execute":"qmp_capabilities","id":"n"}',
  );
  if (!reply.includes('"return"')) throw new Error(`${link.path}: negotiation failed: ${reply}`);
}
