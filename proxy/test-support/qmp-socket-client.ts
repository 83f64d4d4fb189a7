// A tiny direct QMP client for tests and benchmarks: one socket straight to QEMU, no proxy in between.
// It keeps replies raw (a QMP error is a reply, not an exception) so tests can assert on exactly what QEMU
// sent. Not production code: the console's own client lives in the proxy.
import net from 'node:net';
import type { Json, JsonObject, QmpEvent, QmpGreeting, QmpReply } from '../../protocol/qmp.ts';
import { isQmpEvent, isQmpFailure, isQmpGreeting, isQmpReply } from '../../protocol/qmp.ts';

export interface QmpSocketClient {
  readonly greeting: QmpGreeting;
  /** Every event received so far, in arrival order (events arrive only after `negotiate()`). */
  readonly events: QmpEvent[];
  /** `qmp_capabilities`; throws if QEMU refuses. `enable` is e.g. `['oob']`. */
  negotiate(enable?: string[]): Promise<void>;
  /** Sends `{"execute":cmd,"arguments":args,"id":N}` and resolves with QEMU's reply, error replies included. */
  execute(command: string, args?: JsonObject): Promise<QmpReply>;
  /** Like `execute`, but resolves with `return` and throws on an error reply. */
  call(command: string, args?: JsonObject): Promise<Json>;
  /** Calls `fn` for every later event; returns an unsubscribe function. */
  onEvent(fn: (event: QmpEvent) => void): () => void;
  /**
   * The next event named `name` that no earlier `waitForEvent(name)` returned, already received or
   * still to come; so `execute('cont')` then `waitForEvent('STOP')` cannot miss a fast STOP.
   */
  waitForEvent(name: string, timeoutMs?: number): Promise<QmpEvent>;
  /** Resolves once the socket is closed; pending commands fail with an "interrupted" error. */
  close(): Promise<void>;
  /** Resolves when the connection ends, whoever ended it. */
  readonly closed: Promise<void>;
}

export class QmpSocketClientError extends Error {
  override name = 'QmpSocketClientError';
}

/** Where QEMU listens: a unix socket path, `unix:PATH`, or `tcp:HOST:PORT`. */
function connectOptions(address: string): net.NetConnectOpts {
  if (address.startsWith('tcp:')) {
    const rest = address.slice('tcp:'.length);
    const colon = rest.lastIndexOf(':');
    const host = rest.slice(0, colon).replace(/^\[(.*)\]$/, '$1') || '127.0.0.1';
    const port = Number(rest.slice(colon + 1));
    if (colon < 0 || !Number.isInteger(port)) throw new QmpSocketClientError(`bad QMP address ${address}`);
    return { host, port, noDelay: true };
  }
  return { path: address.startsWith('unix:') ? address.slice('unix:'.length) : address };
}

interface Pending {
  command: string;
  resolve: (reply: QmpReply) => void;
  reject: (err: Error) => void;
}

/** Connects, reads the greeting (within `timeoutMs`) and returns the client, not yet negotiated. */
export async function connectQmp(address: string, timeoutMs = 10_000): Promise<QmpSocketClient> {
  const socket = net.connect(connectOptions(address));
  socket.setEncoding('utf8');

  const events: QmpEvent[] = [];
  const listeners = new Set<(event: QmpEvent) => void>();
  const pending = new Map<number, Pending>();
  /** Per event name: how many of that name `waitForEvent` has already handed out. */
  const consumed = new Map<string, number>();
  let nextId = 1;
  let buffer = '';
  let failure: Error | null = null;
  let greetingWaiter: { resolve: (g: QmpGreeting) => void; reject: (err: Error) => void } | null = null;

  const fail = (err: Error): void => {
    failure ??= err;
    greetingWaiter?.reject(err);
    greetingWaiter = null;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };

  const route = (line: string): void => {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      fail(new QmpSocketClientError(`unparsable line from QEMU: ${line.slice(0, 200)}`));
      socket.destroy();
      return;
    }
    if (isQmpEvent(msg)) {
      events.push(msg);
      for (const fn of listeners) fn(msg);
    } else if (isQmpReply(msg)) {
      const id = msg.id;
      const waiter = typeof id === 'number' ? pending.get(id) : undefined;
      if (waiter && typeof id === 'number') {
        pending.delete(id);
        waiter.resolve(msg);
      } else if (id === undefined && isQmpFailure(msg)) {
        // QEMU could not tell which request this answers (a parse error): every pending one is suspect.
        fail(new QmpSocketClientError(`QMP error without id: ${msg.error.class}: ${msg.error.desc}`));
      }
      // A reply with an unknown id is dropped: nobody is waiting for it.
    } else if (isQmpGreeting(msg) && greetingWaiter) {
      greetingWaiter.resolve(msg);
      greetingWaiter = null;
    }
  };

  socket.on('data', (chunk: string) => {
    buffer += chunk;
    let nl = buffer.indexOf('\n');
    while (nl >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      if (line.trim() !== '') route(line);
      nl = buffer.indexOf('\n');
    }
  });
  socket.on('error', (err) => fail(new QmpSocketClientError(`QMP socket ${address}: ${err.message}`)));
  const closed = new Promise<void>((resolve) => {
    socket.on('close', () => {
      fail(new QmpSocketClientError(`QMP connection to ${address} closed; command interrupted`));
      resolve();
    });
  });

  const greeting = await new Promise<QmpGreeting>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new QmpSocketClientError(`no QMP greeting from ${address} within ${timeoutMs} ms`));
      socket.destroy();
    }, timeoutMs);
    greetingWaiter = {
      resolve: (g) => {
        clearTimeout(timer);
        resolve(g);
      },
      reject: (err) => {
        clearTimeout(timer);
        reject(err);
      },
    };
  });

  const execute = (command: string, args?: JsonObject): Promise<QmpReply> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    const request = args === undefined ? { execute: command, id } : { execute: command, arguments: args, id };
    return new Promise<QmpReply>((resolve, reject) => {
      pending.set(id, { command, resolve, reject });
      socket.write(`${JSON.stringify(request)}\n`);
    });
  };

  const call = async (command: string, args?: JsonObject): Promise<Json> => {
    const reply = await execute(command, args);
    if (isQmpFailure(reply)) {
      throw new QmpSocketClientError(`${command} failed: ${reply.error.class}: ${reply.error.desc}`);
    }
    return reply.return;
  };

  const waitForEvent = (name: string, timeoutMs = 10_000): Promise<QmpEvent> => {
    const taken = consumed.get(name) ?? 0;
    const seen = events.filter((e) => e.event === name);
    consumed.set(name, taken + 1);
    const ready = seen[taken];
    if (ready) return Promise.resolve(ready);
    let skip = taken - seen.length; // earlier waiters still waiting for theirs
    return new Promise<QmpEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        const names = events.map((e) => e.event).join(', ') || 'none';
        reject(new QmpSocketClientError(`no ${name} event within ${timeoutMs} ms (events so far: ${names})`));
      }, timeoutMs);
      const off = onEvent((event) => {
        if (event.event !== name) return;
        if (skip > 0) {
          skip--;
          return;
        }
        clearTimeout(timer);
        off();
        resolve(event);
      });
    });
  };

  const onEvent = (fn: (event: QmpEvent) => void): (() => void) => {
    listeners.add(fn);
    return () => listeners.delete(fn);
  };

  return {
    greeting,
    events,
    async negotiate(enable?: string[]) {
      await call('qmp_capabilities', enable ? { enable } : undefined);
    },
    execute,
    call,
    onEvent,
    waitForEvent,
    closed,
    async close() {
      socket.end();
      const timer = setTimeout(() => socket.destroy(), 1000);
      await closed;
      clearTimeout(timer);
    },
  };
}
