// `GET /api/stream`: the console's own state as Server-Sent Events (VM summaries, alerts, journal
// health), so a browser learns what the proxy already knows without asking QEMU.
//
// Every connection starts with a `snapshot`; after that, one message per change, except that changes
// within `coalesceMs` of the last write leave together, each VM's and each alert's newest state only
// (a disk failing in a loop flips a VM between `io-error` and `running` thousands of times a second,
// and a browser shows the state, not every step of it). Nothing is replayed:
// a client that reconnects gets a fresh snapshot, which replaces what it held. A client that stops
// reading is not buffered for: past `maxBufferedBytes` its messages are dropped, and once its socket
// drains it gets a fresh snapshot instead of the missed changes.
import type http from 'node:http';
import type { ConsoleStreamMessage, VmSummary } from '../../protocol/api.ts';
import type { JournalAlert, JournalHealth } from '../../protocol/journal.ts';
import { ChangeCoalescer } from '../hub/change-coalescer.ts';
import type { ConsoleHub } from '../hub/console-hub.ts';
import { type Alert, toJournalAlert } from '../journal/alert-book.ts';
import type { Journal, JournalSubscriber } from '../journal/journal.ts';

export interface ConsoleStreamOptions {
  heartbeatMs: number;
  maxBufferedBytes: number;
  /** While the journal fails, its backlog grows with every event: told at most this often. */
  healthIntervalMs: number;
  /** The `retry:` hint for EventSource reconnects. */
  retryMs: number;
  /** VM and alert changes this soon after the last write wait for the next one, newest state only (0: none). */
  coalesceMs: number;
}

export const DEFAULT_CONSOLE_STREAM_OPTIONS: ConsoleStreamOptions = {
  heartbeatMs: 15_000,
  maxBufferedBytes: 256 * 1024,
  healthIntervalMs: 1000,
  retryMs: 2000,
  coalesceMs: 50,
};

export interface ConsoleStream {
  /** Starts a stream on `res` (the caller checked the method and the client's access). */
  open(req: http.IncomingMessage, res: http.ServerResponse): void;
  readonly clientCount: number;
  /** The open alerts, as a new stream's snapshot lists them. */
  openAlerts(): JournalAlert[];
  close(): void;
}

const OPEN_ALERTS_LIMIT = 1000;

function frame(message: ConsoleStreamMessage): string {
  return `event: ${message.type}\ndata: ${JSON.stringify(message)}\n\n`;
}

export function createConsoleStream(
  hub: ConsoleHub,
  journal: Journal,
  options: Partial<ConsoleStreamOptions> = {},
): ConsoleStream {
  const opts = { ...DEFAULT_CONSOLE_STREAM_OPTIONS, ...options };
  const clients = new Set<StreamClient>();
  let lastHealth = JSON.stringify(journal.health());
  let lastHealthAt = 0;

  const openAlerts = () =>
    journal.listAlerts({ state: 'open', limit: OPEN_ALERTS_LIMIT }).map(toJournalAlert);
  const snapshot = (): ConsoleStreamMessage => ({
    type: 'snapshot',
    vms: hub.summaries(),
    alerts: openAlerts(),
    journal: journal.health(),
  });

  const sendAll = (text: string) => {
    for (const c of clients) c.send(text);
  };
  const broadcast = (message: ConsoleStreamMessage) => {
    if (clients.size > 0) sendAll(frame(message));
  };

  // Changes waiting for the next write, by VM name or alert id (in the order they first changed).
  const changes = new ChangeCoalescer<string, ConsoleStreamMessage>(opts.coalesceMs, (messages) => {
    let text = '';
    for (const m of messages) text += frame(m);
    sendAll(text);
  });
  const changed = (key: string, message: ConsoleStreamMessage) => {
    if (clients.size > 0) changes.change(key, message);
  };

  const healthMaybe = (force: boolean) => {
    const health: JournalHealth = journal.health();
    const text = JSON.stringify(health);
    if (text === lastHealth) return;
    const now = Date.now();
    if (!force && now - lastHealthAt < opts.healthIntervalMs) return;
    lastHealth = text;
    lastHealthAt = now;
    broadcast({ type: 'journal', journal: health });
  };

  const offSummary = hub.onSummary((vm: VmSummary) => changed(`vm:${vm.name}`, { type: 'vm', vm }));
  const subscriber: JournalSubscriber = {
    // Only the backlog's size can move with records: while writes fail.
    records: () => healthMaybe(false),
    alert: (a: Alert) => changed(`alert:${a.id}`, { type: 'alert', alert: toJournalAlert(a) }),
    healthChanged: () => healthMaybe(true),
  };
  const offJournal = journal.subscribe(subscriber);
  const heartbeat = setInterval(() => {
    for (const c of clients) c.send(': keepalive\n\n');
  }, opts.heartbeatMs);
  heartbeat.unref();

  class StreamClient {
    private stale = false;

    constructor(private readonly res: http.ServerResponse) {}

    start(): void {
      this.res.write(`retry: ${opts.retryMs}\n${frame(snapshot())}`);
    }

    send(text: string): void {
      if (this.stale || this.res.destroyed) return;
      if (this.res.writableLength <= opts.maxBufferedBytes) {
        this.res.write(text);
        return;
      }
      // Behind: missed changes are replaced by one snapshot once the client reads again.
      this.stale = true;
      const resync = () => {
        this.stale = false;
        if (!this.res.destroyed) this.res.write(frame(snapshot()));
      };
      // Under the stream's own high-water mark no 'drain' comes: resync on the next turn instead.
      if (this.res.writableNeedDrain) this.res.once('drain', resync);
      else setImmediate(resync);
    }

    end(): void {
      if (!this.res.destroyed) this.res.end();
    }
  }

  return {
    openAlerts,
    open(req, res) {
      req.socket.setNoDelay(true);
      req.socket.setKeepAlive(true, 30_000);
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
      });
      const client = new StreamClient(res);
      clients.add(client);
      res.on('close', () => clients.delete(client));
      client.start();
    },
    get clientCount() {
      return clients.size;
    },
    close() {
      clearInterval(heartbeat);
      changes.clear();
      offSummary();
      offJournal();
      for (const c of clients) c.end();
      clients.clear();
    },
  };
}
