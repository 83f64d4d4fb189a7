// Shares one VM's upstream QMP session among any number of clients, whatever their transport.
import type { VmSummary } from '../../protocol/api.ts';
import { CloseCode } from '../../protocol/api.ts';
import type { ClientContext } from '../../protocol/journal.ts';
import type { JobInfo, JsonObject, QmpEvent } from '../../protocol/qmp.ts';
import { log } from '../log.ts';
import { formatAddress, type Target } from '../qmp/target.ts';
import { type UpstreamOptions, UpstreamSession, type UpstreamStatus } from '../qmp/upstream-session.ts';
import { ClientSession, type ClientSessionOptions, type CommandChannel } from './client-session.ts';
import type { ClientTransport } from './client-transport.ts';
import {
  type ConsoleCommandOptions,
  type ConsoleCommandTarget,
  runConsoleCommand,
} from './console-command.ts';
import { DEFAULT_QEMU_WINDOW, FairQueue, type Lane, type QemuWindow } from './fair-queue.ts';
import { JobTracker } from './job-tracker.ts';
import { Outbox } from './outbox.ts';
import { type QueryStatusReturn, RunStateTracker } from './run-state-tracker.ts';

/**
 * Sees every event before any client does (the journal writes it first) and calls `deliver` when
 * clients may have it, in the order given.
 */
export type EventSink = (vm: string, event: QmpEvent, raw: string, deliver: () => void) => void;

export interface VmHubOptions {
  upstream?: UpstreamOptions;
  session: ClientSessionOptions;
  eventSink?: EventSink;
  /** Commands written to QEMU and not yet answered, whoever sent them. */
  qemuWindow?: QemuWindow;
}

export class VmHub implements CommandChannel {
  readonly upstream: UpstreamSession;
  private readonly clients = new Set<ClientSession>();
  /**
   * What QEMU sent, in its order: an event takes its place when it arrives and is ready once the
   * journal has it; a reply is ready at once but never overtakes an event QEMU sent before it.
   */
  private readonly outbox = new Outbox<() => void>((run) => run());
  private readonly statusListeners = new Set<(vm: VmHub, status: UpstreamStatus) => void>();
  private readonly summaryListeners = new Set<(summary: VmSummary) => void>();
  private readonly runState: RunStateTracker;
  private readonly jobs: JobTracker;
  /** Every client's commands (and the console's own) reach QEMU through here, the clients in turn. */
  private readonly queue: FairQueue;
  private readonly ownLane: Lane;

  constructor(
    readonly target: Target,
    private readonly options: VmHubOptions,
  ) {
    this.upstream = new UpstreamSession(target, options.upstream);
    const upstream = this.upstream;
    this.queue = new FairQueue(
      {
        get connected() {
          return upstream.status.state === 'connected';
        },
        sendPrepared: (prepared, handler) => upstream.sendPrepared(prepared, handler),
      },
      (deliver) => this.outbox.push(deliver),
      options.qemuWindow ?? DEFAULT_QEMU_WINDOW,
    );
    this.ownLane = this.queue.lane();
    this.runState = new RunStateTracker({
      queryStatus: () => this.execute<QueryStatusReturn>('query-status'),
      onChange: () => this.summaryChanged(),
    });
    this.jobs = new JobTracker({
      queryJobs: () => this.execute<JobInfo[]>('query-jobs'),
      onChange: () => this.summaryChanged(),
    });
    this.upstream.onEvent((event, raw) => {
      const place = this.outbox.reserve();
      const deliver = () =>
        place(() => {
          this.runState.event(event);
          this.jobs.event(event);
          for (const client of this.clients) client.event(raw);
        });
      if (options.eventSink) options.eventSink(target.name, event, raw, deliver);
      else deliver();
    });
    this.upstream.onStatus((status) => {
      // What waits belongs to clients that are closed now, and to a run state that is forgotten.
      if (status.state !== 'connected') {
        this.outbox.clear();
        this.queue.reset();
      }
      if (status.state === 'disconnected')
        this.closeAll(CloseCode.UPSTREAM_LOST, `QEMU connection lost: ${status.error ?? 'closed'}`);
      for (const listener of this.statusListeners) listener(this, status);
      // Without a session there is no run state; with a new one it is asked for (and told when known).
      if (status.state !== 'connected') {
        this.runState.disconnected();
        this.jobs.disconnected();
      }
      this.summaryChanged();
      if (status.state === 'connected') {
        this.runState.connected();
        this.jobs.connected();
      }
    });
  }

  get name(): string {
    return this.target.name;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Attached clients by transport (WebSocket, or the plain QMP socket of --listen-qmp). */
  clientCounts(): Record<ClientTransport['kind'], number> {
    const counts = { websocket: 0, socket: 0 };
    for (const client of this.clients) counts[client.transportKind]++;
    return counts;
  }

  onStatus(listener: (vm: VmHub, status: UpstreamStatus) => void): () => void {
    this.statusListeners.add(listener);
    return () => this.statusListeners.delete(listener);
  }

  /** Told whenever the summary changes: connection state, error, version, run state or jobs. */
  onSummary(listener: (summary: VmSummary) => void): () => void {
    this.summaryListeners.add(listener);
    return () => this.summaryListeners.delete(listener);
  }

  summary(): VmSummary {
    const s = this.upstream.status;
    return {
      name: this.target.name,
      address: formatAddress(this.target.address),
      state: s.state,
      version: s.greeting?.QMP.version ?? null,
      since: s.since.toISOString(),
      error: s.error,
      runState: this.runState.state,
      ...(this.jobs.jobs === null ? {} : { jobs: this.jobs.jobs }),
    };
  }

  private summaryChanged(): void {
    if (this.summaryListeners.size === 0) return;
    const summary = this.summary();
    for (const listener of this.summaryListeners) listener(summary);
  }

  /**
   * The console's own command to this VM (not a client's: not audited, not policed), resolving with
   * QEMU's `return`. Rejects with a ConsoleCommandError (not connected, QMP error, timeout, lost).
   */
  execute<T = unknown>(command: string, args?: JsonObject, options?: ConsoleCommandOptions): Promise<T> {
    const target: ConsoleCommandTarget = {
      send: this.send,
      onStatus: (listener) => this.upstream.onStatus(listener),
    };
    return runConsoleCommand<T>(target, command, args, options);
  }

  get oobAvailable(): boolean {
    return this.upstream.oobAvailable;
  }

  /**
   * The console's own command to QEMU (its own lane, in turn with the clients'), whose reply is
   * released in QEMU's order, behind the events sent before it.
   */
  readonly send: CommandChannel['send'] = (kind, command, args, handler, argsText) =>
    this.ownLane.send(kind, command, args, handler, argsText);

  /** Commands of every client waiting for their turn to be written to QEMU. */
  get queuedCommands(): number {
    return this.queue.queued;
  }

  /**
   * Gives a new client its own QMP session. A VM whose QEMU is not connected closes the client at
   * once with UPSTREAM_LOST, so it retries as it would after a disconnect.
   */
  attach(transport: ClientTransport, context: ClientContext): ClientSession | null {
    const greeting = this.upstream.greetingLine;
    if (this.upstream.status.state !== 'connected' || greeting === null) {
      transport.close(
        CloseCode.UPSTREAM_LOST,
        truncateReason(`QEMU not connected: ${this.upstream.status.error ?? 'connecting'}`),
      );
      return null;
    }
    // Each client gets its own lane to QEMU: its commands queue behind its own, not behind others'.
    const lane = this.queue.lane();
    const upstream = this.upstream;
    const channel: CommandChannel = {
      get oobAvailable() {
        return upstream.oobAvailable;
      },
      send: lane.send,
    };
    const session = new ClientSession(this.name, channel, transport, context, this.options.session);
    this.clients.add(session);
    session.greet(greeting);
    log.debug('client attached', { vm: this.name, transport: transport.kind, remote: context.remoteAddress });
    return session;
  }

  detach(session: ClientSession): void {
    session.detached();
    this.clients.delete(session);
  }

  start(): void {
    this.upstream.start();
  }

  async stop(): Promise<void> {
    this.closeAll(CloseCode.SHUTTING_DOWN, 'QMP Console is shutting down');
    await this.upstream.stop();
  }

  private closeAll(code: number, reason: string): void {
    for (const client of this.clients) client.close(code, truncateReason(reason));
    this.clients.clear();
  }
}

/** A WebSocket close reason is at most 123 bytes of UTF-8. */
export function truncateReason(reason: string): string {
  const bytes = Buffer.from(reason);
  if (bytes.length <= 123) return reason;
  return `${bytes
    .subarray(0, 120)
    .toString('utf8')
    .replace(/\uFFFD+$/, '')}...`;
}
