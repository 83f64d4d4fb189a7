// Commands on their way to one VM's QEMU, taken from the clients in turn.
//
// QEMU 7.2 runs a monitor's in-band commands one after another and reads them one byte per system call
// (about 9 µs a byte): whatever is written to its socket ahead of a command is time that command waits.
// Written as they come, one client's burst (a thousand commands, or a few with a megabyte of arguments)
// would sit in front of every other client's next command. So each client's commands wait in its own
// lane here, and only a small window of them is at QEMU at a time, filled from the lanes round-robin:
// another client's command waits at most for that window, not for the burst.
import type { JsonObject } from '../../protocol/qmp.ts';
import { prepareCommand, type ReplyHandler } from '../qmp/upstream-session.ts';
import type { CommandChannel } from './client-session.ts';

/** How much is written to QEMU and not yet answered; one command always goes, whatever its size. */
export interface QemuWindow {
  commands: number;
  bytes: number;
}

/**
 * About 75 ms of QEMU's reading at most; 32 small commands keep a fast monitor busy (8 halved a
 * pipelining client's rate) and hold another client's query-status for ~20 ms at most.
 */
export const DEFAULT_QEMU_WINDOW: QemuWindow = { commands: 32, bytes: 8192 };

/** What the queue needs from the VM's session. */
export interface PreparedSender {
  readonly connected: boolean;
  sendPrepared(prepared: string, handler: ReplyHandler): boolean;
}

interface Waiting {
  prepared: string;
  handler: ReplyHandler;
}

/** One client's commands, in its order. */
export class Lane implements Pick<CommandChannel, 'send'> {
  readonly waiting: Waiting[] = [];

  constructor(private readonly queue: FairQueue) {}

  /** Commands of this client not yet written to QEMU. */
  get queued(): number {
    return this.waiting.length;
  }

  readonly send: CommandChannel['send'] = (kind, command, args, handler, argsText) =>
    this.queue.enqueue(this, kind, command, args, handler, argsText);
}

export class FairQueue {
  /** Lanes with commands waiting, in turn order (a Set keeps insertion order). */
  private readonly turns = new Set<Lane>();
  private commandsAtQemu = 0;
  private bytesAtQemu = 0;
  /** Bumped by reset(): replies to commands of a lost session no longer count. */
  private epoch = 0;

  constructor(
    private readonly upstream: PreparedSender,
    /** Passes a reply on (the VM's outbox: behind the events QEMU sent before it). */
    private readonly release: (deliver: () => void) => void,
    private readonly window: QemuWindow = DEFAULT_QEMU_WINDOW,
  ) {}

  lane(): Lane {
    return new Lane(this);
  }

  /** Commands waiting in every lane. */
  get queued(): number {
    let n = 0;
    for (const lane of this.turns) n += lane.queued;
    return n;
  }

  /** The session is gone: what waits is dropped unanswered (its clients are closed as lost). */
  reset(): void {
    this.epoch++;
    for (const lane of this.turns) lane.waiting.length = 0;
    this.turns.clear();
    this.commandsAtQemu = 0;
    this.bytesAtQemu = 0;
  }

  enqueue(
    lane: Lane,
    kind: 'execute' | 'exec-oob',
    command: string,
    args: JsonObject | undefined,
    handler: ReplyHandler,
    argsText?: string,
  ): boolean {
    if (!this.upstream.connected) return false;
    const prepared = prepareCommand(kind, command, args, argsText);
    // Out-of-band commands exist to overtake what QEMU is busy with: they do not queue.
    if (kind === 'exec-oob')
      return this.upstream.sendPrepared(prepared, (reply) => this.release(() => handler(reply)));
    // Nobody waiting and room at QEMU: a lone command is written now, without a turn in the queue.
    if (this.turns.size === 0 && this.hasRoom(prepared.length)) {
      this.dispatch(prepared, handler);
      return true;
    }
    lane.waiting.push({ prepared, handler });
    this.turns.add(lane);
    this.pump();
    return true;
  }

  private hasRoom(bytes: number): boolean {
    return (
      this.commandsAtQemu === 0 ||
      (this.commandsAtQemu < this.window.commands && this.bytesAtQemu + bytes <= this.window.bytes)
    );
  }

  private pump(): void {
    while (this.turns.size > 0) {
      const lane = this.turns.values().next().value as Lane;
      const next = lane.waiting[0]!;
      if (!this.hasRoom(next.prepared.length)) return;
      lane.waiting.shift();
      // To the back of the line: the other lanes' next commands go before this one's.
      this.turns.delete(lane);
      if (lane.waiting.length > 0) this.turns.add(lane);
      if (!this.dispatch(next.prepared, next.handler)) return;
    }
  }

  /** Writes one command to QEMU; false (and the queue reset) when the session is gone. */
  private dispatch(prepared: string, handler: ReplyHandler): boolean {
    const bytes = prepared.length;
    const epoch = this.epoch;
    const sent = this.upstream.sendPrepared(prepared, (reply) => {
      // QEMU is done with it: the window has room for the next lane's command at once.
      if (epoch === this.epoch) {
        this.commandsAtQemu--;
        this.bytesAtQemu -= bytes;
      }
      this.release(() => handler(reply));
      if (this.turns.size > 0) this.pump();
    });
    if (!sent) {
      this.reset();
      return false;
    }
    this.commandsAtQemu++;
    this.bytesAtQemu += bytes;
    return true;
  }
}
