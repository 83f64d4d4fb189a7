// A QMP client over one browser WebSocket (the proxy's `/qmp/NAME`), modelled on qemu.qmp:
// explicit state, greeting then `qmp_capabilities`, id routing, events to listeners, reconnection.
import { CloseCode } from '../../../protocol/api.ts';
import {
  isQmpEvent,
  isQmpFailure,
  isQmpGreeting,
  isQmpReply,
  type Json,
  type JsonObject,
  type QmpCommand,
  type QmpEvent,
  type QmpGreeting,
  type QmpReply,
  type QmpVersion,
} from '../../../protocol/qmp.ts';
import { QmpDisconnectedError, QmpError, QmpProtocolError } from './qmp-errors.ts';

/**
 * - `idle`: created, `connect()` not called yet.
 * - `connecting`: first connection: WebSocket handshake, waiting for the greeting.
 * - `negotiating`: greeting read, `qmp_capabilities` sent, waiting for its reply.
 * - `ready`: commands may be executed; events flow.
 * - `reconnecting`: the connection was lost; waiting to retry or retrying (until the next greeting).
 * - `closed`: for good, by `close()` or a close code that must not be retried.
 */
export type QmpClientState = 'idle' | 'connecting' | 'negotiating' | 'ready' | 'reconnecting' | 'closed';

/** An immutable picture of the client, replaced on every change (for `useSyncExternalStore`). */
export interface QmpClientSnapshot {
  readonly state: QmpClientState;
  /** QEMU's version from the latest greeting (kept while reconnecting). */
  readonly version: QmpVersion | null;
  readonly capabilities: readonly string[];
  /** Why the last connection ended or failed, for display; null once ready again. */
  readonly error: string | null;
  /** The last WebSocket close code seen, if any. */
  readonly closeCode: number | null;
  /** Consecutive failed attempts since the last `ready` (0 when ready). */
  readonly attempt: number;
  /** How many times the client has become ready. */
  readonly readyCount: number;
}

/** The subset of the DOM `WebSocket` the client uses, so tests can inject a fake. */
export interface WebSocketLike {
  readonly readyState: number;
  onmessage: ((ev: MessageEvent) => void) | null;
  onerror: ((ev: Event) => void) | null;
  onclose: ((ev: CloseEvent) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type WebSocketFactory = (url: string) => WebSocketLike;

export interface QmpClientOptions {
  /** `ws:` / `wss:` URL of the VM's QMP socket. */
  url: string;
  createSocket?: WebSocketFactory;
  /** Delay before the first retry; doubles per failed attempt. */
  initialRetryMs?: number;
  maxRetryMs?: number;
  /** Give up on a connection that has not finished negotiating after this long (and retry). */
  negotiationTimeoutMs?: number;
}

export type QmpEventListener = (event: QmpEvent) => void;

const WS_OPEN = 1;

/**
 * Close codes after which the client retries: QEMU went away, the network / server failed, or the
 * console cut this page off for falling behind (a background tab in an event storm): a new session
 * starts clean and its queries refetch when it is ready.
 */
const RETRY_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.UPSTREAM_LOST,
  CloseCode.SLOW_CLIENT,
  1001, // going away
  1005, // no status
  1006, // abnormal: connection refused, dropped, upgrade refused
  1011, // server error
  1012, // service restart
  1013, // try again later
  1014, // bad gateway
]);

const CLOSE_REASONS: Readonly<Record<number, string>> = {
  [CloseCode.UPSTREAM_LOST]: 'QEMU connection lost',
  [CloseCode.SLOW_CLIENT]: 'closed by the console: this page fell too far behind',
  [CloseCode.SHUTTING_DOWN]: 'the console is shutting down',
  [CloseCode.TOO_MANY_CLIENTS]: 'closed by the console: too many clients',
  [CloseCode.UNSUPPORTED_DATA]: 'closed by the console: unsupported data',
  [CloseCode.MESSAGE_TOO_BIG]: 'closed by the console: message too big',
  1000: 'closed',
  1006: 'connection failed or dropped',
};

/** A human explanation of a WebSocket close: the peer's reason if it gave one, else what the code means. */
export function describeClose(code: number, reason = ''): string {
  return `${reason || (CLOSE_REASONS[code] ?? 'connection closed')} (${code})`;
}

interface Pending {
  command: QmpCommand;
  resolve: (value: Json) => void;
  reject: (reason: Error) => void;
}

export class QmpClient {
  readonly url: string;
  private readonly createSocket: WebSocketFactory;
  private readonly initialRetryMs: number;
  private readonly maxRetryMs: number;
  private readonly negotiationTimeoutMs: number;

  private snapshot: QmpClientSnapshot = {
    state: 'idle',
    version: null,
    capabilities: [],
    error: null,
    closeCode: null,
    attempt: 0,
    readyCount: 0,
  };
  private socket: WebSocketLike | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly stateListeners = new Set<() => void>();
  private readonly eventListeners = new Set<QmpEventListener>();
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private negotiationTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(options: QmpClientOptions) {
    this.url = options.url;
    this.createSocket = options.createSocket ?? ((url) => new WebSocket(url));
    this.initialRetryMs = options.initialRetryMs ?? 100;
    this.maxRetryMs = options.maxRetryMs ?? 3000;
    this.negotiationTimeoutMs = options.negotiationTimeoutMs ?? 10_000;
  }

  get state(): QmpClientState {
    return this.snapshot.state;
  }

  get version(): QmpVersion | null {
    return this.snapshot.version;
  }

  /** For `useSyncExternalStore`: the same object until something changes. */
  readonly getSnapshot = (): QmpClientSnapshot => this.snapshot;

  /** Listens to snapshot changes; returns the unsubscribe function. */
  readonly subscribe = (listener: () => void): (() => void) => {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  };

  /** Listens to QMP events; returns the unsubscribe function. */
  readonly onEvent = (listener: QmpEventListener): (() => void) => {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  };

  /** Opens the connection (once; later losses are retried on their own). */
  connect(): void {
    if (this.snapshot.state !== 'idle') return;
    this.update({ state: 'connecting' });
    this.open();
  }

  /**
   * Runs a command and resolves with its `return` value. Rejects with `QmpError` when QEMU answers
   * with an error, `QmpDisconnectedError` when the client is not ready or the connection is lost first.
   */
  execute<T = Json>(command: string, args?: JsonObject): Promise<T> {
    const cmd: QmpCommand = args === undefined ? { execute: command } : { execute: command, arguments: args };
    if (this.snapshot.state !== 'ready') {
      return Promise.reject(new QmpDisconnectedError(cmd, false, `not connected (${this.snapshot.state})`));
    }
    return this.send(cmd) as Promise<T>;
  }

  /** Closes for good: pending commands are rejected, no reconnection. */
  close(): void {
    if (this.snapshot.state === 'closed') return;
    this.clearTimers();
    const socket = this.detachSocket();
    socket?.close(1000, 'client closed');
    this.rejectPending('client closed');
    this.update({ state: 'closed' });
  }

  // --- connection ---------------------------------------------------------------------------------

  private open(): void {
    let socket: WebSocketLike;
    try {
      socket = this.createSocket(this.url);
    } catch (err) {
      this.lost(`cannot open WebSocket: ${String(err)}`, null);
      return;
    }
    this.socket = socket;
    // Covers a handshake that hangs as well as a peer that never greets or never answers.
    this.negotiationTimer = setTimeout(() => {
      if (this.socket !== socket) return;
      this.detachSocket();
      socket.close(1000, 'negotiation timeout');
      this.lost('no QMP greeting or negotiation reply in time', null);
    }, this.negotiationTimeoutMs);
    socket.onmessage = (ev) => {
      if (this.socket === socket) this.receive(ev.data);
    };
    socket.onclose = (ev) => {
      if (this.socket !== socket) return;
      this.detachSocket();
      const detail = describeClose(ev.code, ev.reason);
      if (RETRY_CLOSE_CODES.has(ev.code)) this.lost(detail, ev.code);
      else this.fail(detail, ev.code);
    };
    // The browser follows `error` with `close`; the close code is what decides.
    socket.onerror = () => {};
  }

  private detachSocket(): WebSocketLike | null {
    const socket = this.socket;
    this.socket = null;
    if (this.negotiationTimer !== null) clearTimeout(this.negotiationTimer);
    this.negotiationTimer = null;
    if (socket) {
      socket.onmessage = null;
      socket.onclose = null;
      socket.onerror = null;
    }
    return socket;
  }

  /** The connection ended in a way worth retrying. */
  private lost(detail: string, closeCode: number | null): void {
    this.rejectPending(detail);
    const attempt = this.snapshot.attempt + 1;
    this.update({ state: 'reconnecting', error: detail, closeCode, attempt });
    const delay = Math.min(this.maxRetryMs, this.initialRetryMs * 2 ** (attempt - 1));
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (this.snapshot.state === 'reconnecting') this.open();
    }, delay);
  }

  /** The connection ended in a way that must not be retried. */
  private fail(detail: string, closeCode: number | null): void {
    this.clearTimers();
    this.rejectPending(detail);
    this.update({ state: 'closed', error: detail, closeCode });
  }

  /** A protocol violation: drop this connection and start over. */
  private protocolFailure(error: QmpProtocolError): void {
    console.error(`QMP ${this.url}: ${error.message}`, error.frame);
    const socket = this.detachSocket();
    socket?.close(1000, 'protocol error');
    this.lost(`protocol error: ${error.message}`, null);
  }

  private clearTimers(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.negotiationTimer !== null) clearTimeout(this.negotiationTimer);
    this.negotiationTimer = null;
  }

  // --- messages -----------------------------------------------------------------------------------

  private receive(data: unknown): void {
    if (typeof data !== 'string') {
      this.protocolFailure(new QmpProtocolError('binary frame', String(data)));
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(data);
    } catch {
      this.protocolFailure(new QmpProtocolError('unparsable frame', data));
      return;
    }
    const state = this.snapshot.state;
    if (state === 'connecting' || state === 'reconnecting') {
      if (isQmpGreeting(msg)) this.greeted(msg);
      else this.protocolFailure(new QmpProtocolError('expected the QMP greeting first', data));
    } else if (isQmpEvent(msg)) {
      this.dispatchEvent(msg);
    } else if (isQmpReply(msg)) {
      this.route(msg, data);
    } else {
      this.protocolFailure(new QmpProtocolError('unexpected message', data));
    }
  }

  private greeted(greeting: QmpGreeting): void {
    this.update({
      state: 'negotiating',
      version: greeting.QMP.version,
      capabilities: greeting.QMP.capabilities,
    });
    this.send({ execute: 'qmp_capabilities' }).then(
      () => {
        if (this.snapshot.state !== 'negotiating') return;
        if (this.negotiationTimer !== null) clearTimeout(this.negotiationTimer);
        this.negotiationTimer = null;
        this.update({
          state: 'ready',
          error: null,
          closeCode: null,
          attempt: 0,
          readyCount: this.snapshot.readyCount + 1,
        });
      },
      (err: unknown) => {
        // A disconnect already moved the state on; a QMP error means the peer refused to negotiate.
        if (this.snapshot.state !== 'negotiating' || !(err instanceof QmpError)) return;
        const socket = this.detachSocket();
        socket?.close(1000, 'negotiation failed');
        this.lost(`negotiation failed: ${err.errorClass}: ${err.desc}`, null);
      },
    );
  }

  private route(reply: QmpReply, frame: string): void {
    const id = reply.id;
    if (id === undefined) {
      // Without an id we cannot tell which command failed (e.g. a JSON parse error on QEMU's side).
      this.protocolFailure(new QmpProtocolError('reply without id', frame));
      return;
    }
    const pending = typeof id === 'number' ? this.pending.get(id) : undefined;
    if (!pending) {
      console.warn(`QMP ${this.url}: reply with unknown id dropped`, frame);
      return;
    }
    this.pending.delete(id as number);
    if (isQmpFailure(reply)) pending.reject(new QmpError(pending.command, reply));
    else pending.resolve(reply.return);
  }

  private dispatchEvent(event: QmpEvent): void {
    for (const listener of [...this.eventListeners]) {
      try {
        listener(event);
      } catch (err) {
        console.error(`QMP ${this.url}: event listener failed`, err);
      }
    }
  }

  private send(command: QmpCommand): Promise<Json> {
    const socket = this.socket;
    const id = this.nextId++;
    const sent: QmpCommand = { ...command, id };
    if (!socket || socket.readyState !== WS_OPEN) {
      return Promise.reject(new QmpDisconnectedError(sent, false, 'socket not open'));
    }
    return new Promise<Json>((resolve, reject) => {
      this.pending.set(id, { command: sent, resolve, reject });
      try {
        socket.send(JSON.stringify(sent));
      } catch (err) {
        this.pending.delete(id);
        reject(new QmpDisconnectedError(sent, false, `send failed: ${String(err)}`));
      }
    });
  }

  private rejectPending(detail: string): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(new QmpDisconnectedError(p.command, true, detail));
  }

  private update(patch: Partial<QmpClientSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const listener of [...this.stateListeners]) listener();
  }
}
