// One client's own QMP session on top of the VM's shared upstream session.

import { CloseCode } from '../../protocol/api.ts';
import type { ClientContext, CommandRecord } from '../../protocol/journal.ts';
import type { Json, JsonObject, QmpErrorBody } from '../../protocol/qmp.ts';
import type { JsonInput } from '../qmp/json-streamer.ts';
import type { ReplyHandler } from '../qmp/upstream-session.ts';
import type { ClientTransport } from './client-transport.ts';
import { Outbox } from './outbox.ts';
import { formatReply, replyWithClientId } from './reply-id.ts';
import { type CheckedRequest, checkRequest, parseRequest } from './request-check.ts';

/** Why the policy refused a command: the viewer role (or --read-only), a --deny pattern, a name no command has. */
export type RefusalReason = NonNullable<CommandRecord['refusal']>;

/** A refused command: the QMP error to answer with (`class`, `desc`) and why, for the counters. */
export interface CommandRefusal extends QmpErrorBody {
  reason: RefusalReason;
}

/** Decides whether a client may run a command; returns the refusal to answer with, or null. */
export type CommandGate = (
  command: string,
  args: JsonObject | undefined,
  context: ClientContext,
) => CommandRefusal | null;

/** Where a client's commands go: the VM's session, replies released in QEMU's order (VmHub). */
export interface CommandChannel {
  readonly oobAvailable: boolean;
  /** False when QEMU is not connected; otherwise `handler` runs once with QEMU's reply, or never. */
  send(
    kind: 'execute' | 'exec-oob',
    command: string,
    args: JsonObject | undefined,
    handler: ReplyHandler,
    /** The arguments as the client wrote them, when `args` would not reproduce a number in them. */
    argsText?: string,
  ): boolean;
}

export interface ClientSessionOptions {
  maxInFlight: number;
  /** Bytes of this client's commands waiting for QEMU (one command of any size always goes). */
  maxBytesInFlight?: number;
  maxBufferedBytes: number;
  gate?: CommandGate;
  onCommand?: (record: CommandRecord) => void;
}

const generic = (desc: string): QmpErrorBody => ({ class: 'GenericError', desc });
const commandNotFound = (desc: string): QmpErrorBody => ({ class: 'CommandNotFound', desc });

export class ClientSession {
  private negotiated = false;
  private oob = false;
  private closed = false;
  /** Replies in the order of the client's commands, whoever answers them (QEMU or the proxy). */
  private readonly replies: Outbox<string>;
  private inFlight = 0;
  private bytesInFlight = 0;
  /** Commands QEMU has not answered: audited as `lost` if QEMU goes away first. */
  private readonly unanswered = new Set<{ command: string; args: JsonObject | undefined }>();

  constructor(
    readonly vm: string,
    private readonly upstream: CommandChannel,
    private readonly transport: ClientTransport,
    readonly context: ClientContext,
    private readonly options: ClientSessionOptions,
  ) {
    // Replies held for order while QEMU is busy are memory the client can grow: bounded like its buffer.
    this.replies = new Outbox((text) => this.deliver(text), {
      maxBytes: options.maxBufferedBytes,
      size: (text) => text.length,
      onOverflow: () =>
        this.close(
          CloseCode.SLOW_CLIENT,
          `more than ${options.maxBufferedBytes} bytes of replies waiting behind a command QEMU has not answered`,
        ),
    });
  }

  get transportKind(): ClientTransport['kind'] {
    return this.transport.kind;
  }

  get isNegotiated(): boolean {
    return this.negotiated;
  }

  /** Sends QEMU's own greeting, as QEMU would to a new monitor client. */
  greet(greetingLine: string): void {
    this.deliver(greetingLine);
  }

  /** A WebSocket frame's text, or a message the plain socket's JSON streamer has already read. */
  handleMessage(message: string | JsonInput): void {
    if (this.closed) return;
    const req =
      typeof message === 'string' ? parseRequest(message, this.oob) : checkRequest(message, this.oob);
    const bytes = typeof message === 'string' ? message.length : message.ok ? message.bytes : 0;
    if (!req.ok) {
      this.fail(req.error, req.id, req.idText);
    } else if (req.command === 'qmp_capabilities' && req.kind === 'execute') {
      this.negotiate(req.args, req.id, req.idText);
    } else if (!this.negotiated) {
      this.fail(
        commandNotFound("Expecting capabilities negotiation with 'qmp_capabilities'"),
        req.id,
        req.idText,
      );
    } else {
      const denied = this.options.gate?.(req.command, req.args, this.context) ?? null;
      if (denied) {
        this.record(req.command, req.args, 'denied', denied.class, undefined, denied.reason);
        this.fail({ class: denied.class, desc: denied.desc }, req.id, req.idText);
      } else if (this.inFlight >= this.options.maxInFlight) {
        this.fail(
          generic(`QMP Console: more than ${this.options.maxInFlight} commands in flight from this client`),
          req.id,
          req.idText,
        );
      } else if (
        this.bytesInFlight > 0 &&
        this.bytesInFlight + bytes > (this.options.maxBytesInFlight ?? Number.POSITIVE_INFINITY)
      ) {
        // QEMU 7.2 reads its input one byte per syscall (~9 us a byte): unbounded, a client could queue gigabytes here.
        this.fail(
          generic(
            `QMP Console: more than ${this.options.maxBytesInFlight} bytes of commands in flight from this client`,
          ),
          req.id,
          req.idText,
        );
      } else {
        this.forward(req, bytes);
      }
    }
  }

  /** An event from QEMU, raw: only negotiated clients get events. */
  event(raw: string): void {
    if (this.negotiated && !this.closed) this.deliver(raw);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    // QEMU gone (crashed, killed, or the console stopping): what it never answered is audited as lost.
    if (code === CloseCode.UPSTREAM_LOST || code === CloseCode.SHUTTING_DOWN) {
      for (const { command, args } of this.unanswered) this.record(command, args, 'lost');
      this.unanswered.clear();
    }
    this.transport.close(code, reason);
  }

  /** The transport went away on its own. */
  detached(): void {
    this.closed = true;
  }

  private negotiate(args: JsonObject | undefined, id: Json | undefined, idText: string | undefined): void {
    const error = this.negotiationError(args);
    if (error) {
      this.fail(error, id, idText);
      return;
    }
    const enable = args?.enable;
    this.oob = Array.isArray(enable) && enable.length > 0;
    this.negotiated = true;
    this.answerLocally(formatReply({ return: {} }, id, idText));
  }

  /**
   * What QEMU 7.2 answers to a bad or repeated `qmp_capabilities`, or null. Its arguments are checked
   * first (QEMU's visitor runs before the command), then whether negotiation is already done.
   */
  private negotiationError(args: JsonObject | undefined): QmpErrorBody | null {
    const enable = args?.enable ?? [];
    if (!Array.isArray(enable)) return generic("Invalid parameter type for 'enable', expected: array");
    for (const [index, cap] of enable.entries()) {
      if (typeof cap !== 'string')
        return generic(`Invalid parameter type for 'enable[${index}]', expected: string`);
      if (cap !== 'oob') return generic(`Parameter 'null' does not accept value '${cap}'`);
    }
    const unknownArg = Object.keys(args ?? {}).find((k) => k !== 'enable');
    if (unknownArg) return generic(`Parameter '${unknownArg}' is unexpected`);
    if (this.negotiated)
      return commandNotFound('Capabilities negotiation is already complete, command ignored');
    if (enable.length > 0 && !this.upstream.oobAvailable) return generic("Capability 'oob' not available");
    return null;
  }

  private fail(error: QmpErrorBody, id: Json | undefined, idText?: string): void {
    this.answerLocally(formatReply({ error }, id, idText));
  }

  private forward(req: CheckedRequest & { ok: true }, bytes: number): void {
    const { kind, command, args, id, idText } = req;
    // Out-of-band replies may overtake in-band ones, as with QEMU; in-band ones keep their order.
    let place: ((text: string) => void) | null = null;
    const started = performance.now();
    const pending = { command, args };
    const sent = this.upstream.send(
      kind,
      command,
      args,
      (reply) => {
        this.unanswered.delete(pending);
        this.inFlight--;
        this.bytesInFlight -= bytes;
        const text = replyWithClientId(reply, id, idText);
        if (place) place(text);
        else this.deliver(text);
        // The audit record after the reply is on its way: nothing of it sits in the reply's path.
        this.record(
          command,
          args,
          'error' in reply.message ? 'error' : 'ok',
          'error' in reply.message ? reply.message.error.class : undefined,
          (performance.now() - started) / 1000,
        );
      },
      req.argsText,
    );
    if (!sent) {
      // The upstream is gone; the hub is closing this client. Say so rather than invent a reply.
      this.record(command, args, 'lost');
      return;
    }
    this.unanswered.add(pending);
    this.inFlight++;
    this.bytesInFlight += bytes;
    if (kind === 'execute') place = this.replies.reserve();
  }

  private answerLocally(text: string): void {
    this.replies.push(text);
  }

  private deliver(text: string): void {
    if (this.closed) return;
    this.transport.send(text);
    const buffered = this.transport.bufferedBytes();
    if (buffered > this.options.maxBufferedBytes) {
      this.close(CloseCode.SLOW_CLIENT, `client stopped reading: ${buffered} bytes buffered`);
    }
  }

  private record(
    command: string,
    args: JsonObject | undefined,
    outcome: CommandRecord['outcome'],
    errorClass?: string,
    durationSeconds?: number,
    refusal?: RefusalReason,
  ): void {
    const onCommand = this.options.onCommand;
    if (!onCommand) return;
    const record: CommandRecord = {
      vm: this.vm,
      context: this.context,
      command,
      argumentNames: args === undefined ? [] : Object.keys(args),
      outcome,
    };
    if (errorClass) record.errorClass = errorClass;
    if (durationSeconds !== undefined) record.durationSeconds = durationSeconds;
    if (refusal) record.refusal = refusal;
    onCommand(record);
  }
}
