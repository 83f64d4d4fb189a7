// The proxy's one QMP session to a VM: connect, greeting, negotiation, id routing, events, reconnect.
import net from 'node:net';
import type { Json, JsonObject, QmpEvent, QmpGreeting, QmpReply } from '../../protocol/qmp.ts';
import { isQmpEvent, isQmpGreeting, isQmpReply } from '../../protocol/qmp.ts';
import { log } from '../log.ts';
import { type FramerIssue, LineFramer } from './line-framer.ts';
import { ReadPacer } from './read-pacer.ts';
import { formatAddress, type Target } from './target.ts';
import { holdTick, writeInTick } from './tick-writes.ts';

export type UpstreamState = 'connecting' | 'connected' | 'disconnected';

export interface UpstreamStatus {
  state: UpstreamState;
  since: Date;
  error: string | null;
  greeting: QmpGreeting | null;
}

/** A reply as QEMU sent it: the parsed object and its raw line (for cheap id rewriting). */
export interface UpstreamReply {
  message: QmpReply;
  raw: string;
  upstreamId: number;
}

export type ReplyHandler = (reply: UpstreamReply) => void;
export type EventListener = (event: QmpEvent, raw: string) => void;
export type StatusListener = (status: UpstreamStatus) => void;

export interface UpstreamOptions {
  /** First retry delay; doubles per failure up to maxBackoffMs. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long to wait for QEMU's greeting (a monitor busy with another client sends none). */
  greetingTimeoutMs?: number;
  maxLineBytes?: number;
}

/** One read takes up to this much of what QEMU wrote (a paused storm's few hundred events). */
const READ_BUFFER_BYTES = 64 * 1024;

const defaults: Required<UpstreamOptions> = {
  initialBackoffMs: 50,
  maxBackoffMs: 3000,
  greetingTimeoutMs: 10_000,
  maxLineBytes: 16 * 1024 * 1024,
};

/**
 * A command as QEMU will read it, up to its id (which `sendPrepared` appends). Compact, with a short
 * numeric id to come: QEMU 7.2 reads its input one byte per syscall, so its length is its cost.
 */
export function prepareCommand(
  kind: 'execute' | 'exec-oob',
  command: string,
  args: JsonObject | undefined,
  /** The arguments' JSON text to send instead of `args` (a client's numbers, unrounded). */
  argsText?: string,
): string {
  return args === undefined
    ? `{"${kind}":${JSON.stringify(command)}`
    : `{"${kind}":${JSON.stringify(command)},"arguments":${argsText ?? JSON.stringify(args)}`;
}

export class UpstreamSession {
  private readonly opts: Required<UpstreamOptions>;
  private socket: net.Socket | null = null;
  private pacer: ReadPacer | null = null;
  private current: UpstreamStatus = { state: 'connecting', since: new Date(), error: null, greeting: null };
  private rawGreeting: string | null = null;
  private pending = new Map<number, ReplyHandler>();
  /**
   * Ids of answered commands, handed out again before a new one: QEMU 7.2 reads its monitor one byte per
   * system call, so every digit of a counter that grows with the console's uptime is a read on each
   * command. Ids in flight stay distinct; a reply frees its id.
   */
  private freeIds: number[] = [];
  private nextId = 1;
  private backoff: number;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private readonly eventListeners = new Set<EventListener>();
  private readonly statusListeners = new Set<StatusListener>();

  constructor(
    readonly target: Target,
    options: UpstreamOptions = {},
  ) {
    this.opts = { ...defaults, ...options };
    this.backoff = this.opts.initialBackoffMs;
  }

  get status(): UpstreamStatus {
    return this.current;
  }

  /** QEMU's greeting line exactly as sent, forwarded to each client. */
  get greetingLine(): string | null {
    return this.rawGreeting;
  }

  get oobAvailable(): boolean {
    return this.current.greeting?.QMP.capabilities.includes('oob') ?? false;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  onEvent(listener: EventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onStatus(listener: StatusListener): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const socket = this.socket;
    if (!socket) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  /**
   * Sends one command to QEMU with a fresh numeric id. Returns false when not connected. The handler
   * runs once with QEMU's reply; it never runs if the connection is lost first (no made-up replies).
   */
  send(
    kind: 'execute' | 'exec-oob',
    command: string,
    args: JsonObject | undefined,
    handler: ReplyHandler,
    /** The arguments' JSON text to send instead of `args` (a client's numbers, unrounded). */
    argsText?: string,
  ): boolean {
    return this.sendPrepared(prepareCommand(kind, command, args, argsText), handler);
  }

  /** `send` for a command already serialised by `prepareCommand` (whose length its sender weighed). */
  sendPrepared(prepared: string, handler: ReplyHandler): boolean {
    if (this.current.state !== 'connected' || !this.socket) return false;
    const id = this.freeIds.pop() ?? this.nextId++;
    this.pending.set(id, handler);
    this.pacer?.commandSent();
    this.write(`${prepared},"id":${id}}\n`);
    return true;
  }

  private write(line: string): void {
    // A lone command leaves now; commands issued after it in the same tick leave in one write.
    writeInTick(this.socket!, line);
  }

  /**
   * `since` moves only when the state does: a VM that stays unreachable keeps the time it was lost
   * across retries, and listeners hear of a retry only when its reason differs from the last one.
   */
  private setStatus(state: UpstreamState, error: string | null): void {
    const before = this.current;
    if (before.state === state && before.error === error) return;
    // The greeting outlives a disconnect so the console can still say which QEMU it was.
    const since = before.state === state ? before.since : new Date();
    this.current = { state, since, error, greeting: before.greeting };
    for (const listener of this.statusListeners) listener(this.current);
  }

  private connect(): void {
    if (this.stopped) return;
    // Retries of a lost VM stay `disconnected`; `connecting` is the first attempt only.
    const a = this.target.address;
    // Read into one buffer (`onread`): the pacer can then stop the socket's reads, not just its events.
    const onread = {
      buffer: Buffer.allocUnsafe(READ_BUFFER_BYTES),
      callback: (n: number, buf: Uint8Array) => {
        onChunk(n, buf);
        return true;
      },
    };
    const socket =
      a.kind === 'unix'
        ? net.connect({ path: a.path, onread })
        : net.connect({ host: a.host, port: a.port, onread });
    const pacer = new ReadPacer(socket, () => this.pending.size);
    this.pacer = pacer;
    if (a.kind === 'tcp') {
      socket.setNoDelay(true);
      // A host that vanished without a FIN would otherwise look connected forever.
      socket.setKeepAlive(true, 10_000);
    }
    this.socket = socket;
    let negotiated = false;
    let failure: string | null = null;
    const greetingTimer = setTimeout(() => {
      failure = `no QMP greeting within ${this.opts.greetingTimeoutMs} ms (is another client holding this monitor?)`;
      socket.destroy();
    }, this.opts.greetingTimeoutMs);

    const framer = new LineFramer(
      (line) =>
        this.handleLine(
          line,
          () => negotiated,
          (ok, why) => {
            if (ok) {
              negotiated = true;
              clearTimeout(greetingTimer);
              this.backoff = this.opts.initialBackoffMs;
              this.setStatus('connected', null);
            } else {
              failure = why;
              socket.destroy();
            }
          },
        ),
      (issue) => this.handleOversize(issue),
      this.opts.maxLineBytes,
    );
    const onChunk = (n: number, buf: Uint8Array) => {
      const read = Buffer.from(buf.buffer, buf.byteOffset, n);
      // The framer keeps an unfinished line's bytes: those must not be the next read's buffer.
      const chunk = read[n - 1] === 0x0a ? read : Buffer.from(read);
      // More than one line (replies to a pipelining client, a storm's events): their clients' writes
      // leave together at the end of this read, one per socket, rather than the first alone.
      const nl = chunk.indexOf(0x0a);
      if (nl !== -1 && nl < chunk.length - 1) holdTick();
      framer.push(chunk);
      pacer.afterRead();
    };
    socket.on('error', (err) => {
      failure ??= describeSocketError(err, formatAddress(a));
    });
    socket.on('close', () => {
      clearTimeout(greetingTimer);
      pacer.stop();
      if (this.pacer === pacer) this.pacer = null;
      if (this.socket === socket) this.socket = null;
      this.rawGreeting = null;
      // Pending commands are dropped, not answered: their clients are closed by the hub.
      this.pending.clear();
      this.freeIds = [];
      this.nextId = 1;
      const why =
        failure ??
        (negotiated ? 'QEMU closed the QMP connection' : 'QEMU closed the connection before negotiation');
      this.setStatus('disconnected', why);
      if (negotiated) log.warn('qmp upstream lost', { vm: this.target.name, reason: why });
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.stopped) return;
    const delay = this.backoff;
    this.backoff = Math.min(this.backoff * 2, this.opts.maxBackoffMs);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, delay);
  }

  private handleLine(
    line: string,
    negotiated: () => boolean,
    onNegotiation: (ok: boolean, why: string) => void,
  ): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      log.warn('qmp upstream sent a line that is not JSON; dropped', {
        vm: this.target.name,
        bytes: line.length,
      });
      this.rescue(line, 'a reply that is not valid JSON');
      return;
    }
    if (isQmpEvent(msg)) {
      for (const listener of this.eventListeners) listener(msg, line);
      return;
    }
    if (isQmpReply(msg)) {
      const id = msg.id;
      const handler = typeof id === 'number' ? this.answered(id) : undefined;
      if (handler === undefined) {
        log.warn('qmp upstream reply with an unknown id; dropped', { vm: this.target.name, id: id as Json });
        return;
      }
      handler({ message: msg, raw: line, upstreamId: id as number });
      return;
    }
    if (isQmpGreeting(msg) && !negotiated() && this.rawGreeting === null) {
      this.rawGreeting = line;
      this.current = { ...this.current, greeting: msg };
      const enable = msg.QMP.capabilities.includes('oob') ? { enable: ['oob'] } : undefined;
      this.pending.set(0, (reply) => {
        if ('return' in reply.message) onNegotiation(true, '');
        else onNegotiation(false, `qmp_capabilities failed: ${reply.message.error.desc}`);
      });
      const args = enable ? `,"arguments":${JSON.stringify(enable)}` : '';
      this.pacer?.commandSent();
      this.socket?.write(`{"execute":"qmp_capabilities"${args},"id":0}\n`);
      return;
    }
    log.warn('qmp upstream sent an unexpected message; dropped', {
      vm: this.target.name,
      bytes: line.length,
    });
    // A malformed reply to a pending command still ends that command.
    const id = typeof msg === 'object' && msg !== null ? (msg as { id?: unknown }).id : undefined;
    if (typeof id === 'number') this.rescue(`"id":${id}}`, 'a malformed reply');
  }

  private handleOversize(issue: FramerIssue): void {
    log.warn('qmp upstream line over the size limit; dropped', { vm: this.target.name, bytes: issue.bytes });
    this.rescue(issue.tail, `a reply of ${issue.bytes} bytes, over the ${this.opts.maxLineBytes}-byte limit`);
  }

  /** The handler waiting for `id`, taken; the id can serve another command (0 is negotiation's own). */
  private answered(id: number): ReplyHandler | undefined {
    const handler = this.pending.get(id);
    if (handler === undefined) return undefined;
    this.pending.delete(id);
    if (id !== 0) this.freeIds.push(id);
    return handler;
  }

  /** A reply we could not read still ends its command: with an error that says what the proxy did. */
  private rescue(text: string, what: string): void {
    const m = /"id":\s*(\d+)\s*\}\s*$/.exec(text);
    const id = m ? Number(m[1]) : Number.NaN;
    const handler = this.answered(id);
    if (!handler) return;
    const message: QmpReply = {
      error: { class: 'GenericError', desc: `QMP Console dropped ${what} from QEMU` },
      id,
    };
    handler({ message, raw: JSON.stringify(message), upstreamId: id });
  }
}

function describeSocketError(err: NodeJS.ErrnoException, address: string): string {
  switch (err.code) {
    case 'ENOENT':
      return `${address}: no such socket (is QEMU running with -qmp ${address.replace(/^unix:/, 'unix:')},server=on,wait=off?)`;
    case 'ECONNREFUSED':
      return `${address}: connection refused (QEMU not listening)`;
    case 'EACCES':
      return `${address}: permission denied`;
    default:
      return `${address}: ${err.message}`;
  }
}
