// Fleet side: the VMs of every host behind the same HTTP/WebSocket server a host uses. Each browser
// gets its own QMP session (greeting, negotiation, ids, order: the hub's ClientSession); its commands
// go to the owning host over request/reply, and the VM's events come from the fleet journal.

import type { NatsConnection } from '@nats-io/transport-node';
import type { VmSummary } from '../../protocol/api.ts';
import { CloseCode } from '../../protocol/api.ts';
import type { ClientContext } from '../../protocol/journal.ts';
import type { Json, JsonObject } from '../../protocol/qmp.ts';
import { ClientSession, type ClientSessionOptions } from '../hub/client-session.ts';
import type { ClientTransport } from '../hub/client-transport.ts';
import type { ConsoleHub, VmEndpoint } from '../hub/console-hub.ts';
import { truncateReason } from '../hub/vm-hub.ts';
import type { FleetCommandRequest, FleetCommandResponse } from '../nats/fleet-protocol.ts';
import { commandSubject, splitFleetName } from '../nats/subjects.ts';
import { toQemuJson } from '../qmp/qemu-json.ts';
import type { ReplyHandler } from '../qmp/upstream-session.ts';
import type { EventIngest, IngestedEvent } from './event-ingest.ts';
import type { FleetDirectory } from './fleet-directory.ts';

export interface FleetHubOptions {
  fleet: string;
  directory: FleetDirectory;
  ingest: EventIngest;
  nc: () => NatsConnection | null;
  session: ClientSessionOptions;
  /** How long a host may take to answer one command (default 30 s: QEMU commands can be slow). */
  commandTimeoutMs?: number;
}

/** QEMU's event line, as QEMU writes it (the WebSocket layer recognises events by their first bytes). */
function eventLine(e: IngestedEvent): string {
  const r = e.record;
  return `{"timestamp": {"seconds": ${r.timestamp.seconds}, "microseconds": ${r.timestamp.microseconds}}, "event": ${JSON.stringify(r.event)}${
    r.data !== undefined ? `, "data": ${JSON.stringify(r.data)}` : ''
  }}`;
}

class FleetVm implements VmEndpoint {
  private readonly clients = new Set<ClientSession>();
  readonly host: string;
  readonly vm: string;

  constructor(
    readonly name: string,
    private readonly hub: FleetHubOptions,
  ) {
    const split = splitFleetName(name)!;
    this.host = split.host;
    this.vm = split.vm;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  attach(transport: ClientTransport, context: ClientContext): ClientSession | null {
    const summary = this.hub.directory.summary(this.name);
    const greeting = this.hub.directory.entry(this.name)?.greeting ?? null;
    if (summary?.state !== 'connected' || greeting === null) {
      transport.close(
        CloseCode.UPSTREAM_LOST,
        truncateReason(`QEMU not connected: ${summary?.error ?? 'connecting'}`),
      );
      return null;
    }
    let session: ClientSession | null = null;
    const upstream = {
      // Out-of-band execution would need its own path to the host; fleet clients negotiate without it.
      oobAvailable: false,
      send: (
        kind: 'execute' | 'exec-oob',
        command: string,
        args: JsonObject | undefined,
        handler: ReplyHandler,
      ) =>
        kind === 'execute' &&
        this.send(command, args, context, handler, (why) => {
          if (session) {
            session.close(CloseCode.UPSTREAM_LOST, truncateReason(why));
            this.clients.delete(session);
          }
        }),
    };
    session = new ClientSession(this.name, upstream, transport, context, this.hub.session);
    this.clients.add(session);
    session.greet(withoutOob(greeting));
    return session;
  }

  detach(session: ClientSession): void {
    session.detached();
    this.clients.delete(session);
  }

  event(raw: string): void {
    for (const c of this.clients) c.event(raw);
  }

  closeAll(code: number, reason: string): void {
    for (const c of this.clients) c.close(code, truncateReason(reason));
    this.clients.clear();
  }

  private send(
    command: string,
    args: JsonObject | undefined,
    context: ClientContext,
    handler: ReplyHandler,
    lost: (why: string) => void,
  ): boolean {
    const nc = this.hub.nc();
    if (!nc || nc.isClosed()) return false;
    const request: FleetCommandRequest = {
      execute: command,
      ...(args !== undefined ? { arguments: args } : {}),
      role: context.role,
      fleet: this.hub.fleet,
      client: context.remoteAddress,
    };
    nc.request(commandSubject(this.host, this.vm), JSON.stringify(request), {
      timeout: this.hub.commandTimeoutMs ?? 30_000,
    }).then(
      (msg) => {
        let res: FleetCommandResponse;
        try {
          res = msg.json<FleetCommandResponse>();
        } catch {
          return lost(`host ${this.host} sent a reply that is not JSON`);
        }
        if (typeof res !== 'object' || res === null) return lost(`host ${this.host} sent a malformed reply`);
        if ('lost' in res) return lost(String(res.lost));
        const reply = res.reply;
        if (typeof reply !== 'object' || reply === null || !('return' in reply || 'error' in reply))
          return lost(`host ${this.host} sent a malformed reply`);
        const raw = JSON.stringify(reply);
        // QEMU's order: the events it sent before this reply reach the client first.
        this.hub.ingest.whenCaughtUp(this.host, Number(res.head) || 0, () =>
          handler({ message: reply, raw, upstreamId: 0 }),
        );
      },
      (err: unknown) => lost(`host ${this.host} did not answer: ${(err as Error).message}`),
    );
    return true;
  }
}

export class FleetHub implements ConsoleHub {
  private readonly vms = new Map<string, FleetVm>();
  private readonly offs: (() => void)[] = [];

  constructor(private readonly options: FleetHubOptions) {
    this.offs.push(
      options.ingest.onEvent((e) => {
        if (e.record.source !== 'console') this.vms.get(e.name)?.event(eventLine(e));
      }),
      options.directory.onChange((name, summary) => {
        if (summary.state !== 'connected')
          this.vms
            .get(name)
            ?.closeAll(CloseCode.UPSTREAM_LOST, `QEMU connection lost: ${summary.error ?? 'closed'}`);
      }),
    );
  }

  get(name: string): FleetVm | undefined {
    if (!this.options.directory.entry(name)) return undefined;
    let vm = this.vms.get(name);
    if (!vm) {
      vm = new FleetVm(name, this.options);
      this.vms.set(name, vm);
    }
    return vm;
  }

  summaries(): VmSummary[] {
    return this.options.directory.summaries();
  }

  onSummary(listener: (summary: VmSummary) => void): () => void {
    return this.options.directory.onChange((_name, summary) => listener(summary));
  }

  get clientCount(): number {
    let n = 0;
    for (const vm of this.vms.values()) n += vm.clientCount;
    return n;
  }

  stop(): void {
    for (const off of this.offs) off();
    for (const vm of this.vms.values()) vm.closeAll(CloseCode.SHUTTING_DOWN, 'QMP Console is shutting down');
  }
}

/**
 * The host's greeting as a fleet client may use it: without `oob`, which the fleet does not carry, so a
 * client (qemu.qmp asks for oob whenever it is offered) never negotiates a capability it cannot have.
 */
export function withoutOob(greetingLine: string): string {
  try {
    const greeting = JSON.parse(greetingLine) as { QMP?: { capabilities?: unknown } };
    if (!greeting.QMP || !Array.isArray(greeting.QMP.capabilities)) return greetingLine;
    greeting.QMP.capabilities = greeting.QMP.capabilities.filter((c) => c !== 'oob');
    return toQemuJson(greeting as Json);
  } catch {
    return greetingLine;
  }
}
