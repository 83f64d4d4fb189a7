// A WebSocket QMP client for tests: every message kept in order, with waits on what arrives.
import WebSocket from 'ws';
import type { Json, JsonObject } from '../../protocol/qmp.ts';

type Message = Record<string, Json>;

export interface WsQmpClient {
  ws: WebSocket;
  messages: Message[];
  /** Every message's text as the server sent it, beside `messages`. */
  texts: string[];
  /** Resolves with the n-th message (0-based), waiting for it if needed. */
  nth(n: number, timeoutMs?: number): Promise<Message>;
  waitFor(predicate: (m: Message) => boolean, timeoutMs?: number): Promise<Message>;
  send(obj: unknown): void;
  sendRaw(text: string | Buffer, binary?: boolean): void;
  /** Sends a command with the given id and resolves with the reply carrying it. */
  execute(command: string, args?: JsonObject, id?: Json): Promise<Message>;
  negotiate(): Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

let nextAutoId = 0;

export async function connectWsQmp(url: string, options: WebSocket.ClientOptions = {}): Promise<WsQmpClient> {
  const ws = new WebSocket(url, options);
  const messages: Message[] = [];
  const texts: string[] = [];
  const waiters = new Set<() => void>();
  ws.on('message', (data) => {
    texts.push(data.toString());
    messages.push(JSON.parse(data.toString()) as Message);
    for (const w of [...waiters]) w();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.on('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      for (const w of [...waiters]) w();
    });
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  ws.on('error', () => {});

  function waitFor(predicate: (m: Message) => boolean, timeoutMs = 10_000, from = 0): Promise<Message> {
    return new Promise((resolve, reject) => {
      let scanned = from;
      const check = () => {
        for (; scanned < messages.length; scanned++) {
          if (predicate(messages[scanned]!)) {
            cleanup();
            resolve(messages[scanned]!);
            return;
          }
        }
        if (ws.readyState === WebSocket.CLOSED) {
          cleanup();
          reject(new Error('connection closed while waiting'));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(
          new Error(`timed out after ${timeoutMs} ms; last messages: ${JSON.stringify(messages.slice(-3))}`),
        );
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });
  }

  const client: WsQmpClient = {
    ws,
    messages,
    texts,
    nth: (n, timeoutMs) => {
      let seen = 0;
      return waitFor(() => seen++ === n, timeoutMs);
    },
    waitFor: (p, t) => waitFor(p, t),
    send: (obj) => ws.send(JSON.stringify(obj)),
    sendRaw: (text, binary = false) => ws.send(text, { binary }),
    execute: (command, args, id) => {
      const theId = id === undefined ? `auto-${nextAutoId++}` : id;
      const from = messages.length;
      ws.send(
        JSON.stringify(
          args ? { execute: command, arguments: args, id: theId } : { execute: command, id: theId },
        ),
      );
      return waitFor((m) => 'id' in m && JSON.stringify(m.id) === JSON.stringify(theId), 10_000, from);
    },
    negotiate: async () => {
      await waitFor((m) => 'QMP' in m);
      const reply = await client.execute('qmp_capabilities', undefined, 'negotiate');
      if (!('return' in reply)) throw new Error(`negotiation failed: ${JSON.stringify(reply)}`);
    },
    closed,
    close: () => ws.close(),
  };
  return client;
}
