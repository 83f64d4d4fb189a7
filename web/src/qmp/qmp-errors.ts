// What can go wrong talking QMP, each error keeping the context needed to explain it.
import type { QmpCommand, QmpFailure } from '../../../protocol/qmp.ts';

/** QEMU answered a command with `{"error": {"class", "desc"}}` (qmp-spec 2.4.2). */
export class QmpError extends Error {
  override readonly name = 'QmpError';
  /** QMP's error class, e.g. `CommandNotFound`, `GenericError`, `DeviceNotActive`. */
  readonly errorClass: string;
  /** QEMU's human-readable description; for display only, never parse it. */
  readonly desc: string;
  /** The command as sent, with its id. */
  readonly command: QmpCommand;
  /** The reply as received. */
  readonly reply: QmpFailure;

  constructor(command: QmpCommand, reply: QmpFailure) {
    super(`${command.execute ?? command['exec-oob']}: ${reply.error.class}: ${reply.error.desc}`);
    this.errorClass = reply.error.class;
    this.desc = reply.error.desc;
    this.command = command;
    this.reply = reply;
  }
}

/**
 * A command got no reply because the connection was not ready or went away while it was in flight.
 * Whether QEMU ran it is unknown when `interrupted` is true.
 */
export class QmpDisconnectedError extends Error {
  override readonly name = 'QmpDisconnectedError';
  readonly command: QmpCommand;
  /** True when the command had been sent; false when it was refused before sending. */
  readonly interrupted: boolean;
  /** Why, without the command's name: "not connected (reconnecting)". */
  readonly detail: string;

  constructor(command: QmpCommand, interrupted: boolean, detail: string) {
    const name = command.execute ?? command['exec-oob'];
    super(interrupted ? `${name} interrupted: ${detail}` : `${name} not sent: ${detail}`);
    this.command = command;
    this.interrupted = interrupted;
    this.detail = detail;
  }
}

/** The other side broke the protocol: unparsable frame, reply without id, no greeting first, ... */
export class QmpProtocolError extends Error {
  override readonly name = 'QmpProtocolError';
  /** The offending frame, as received (possibly truncated for display). */
  readonly frame: string;

  constructor(message: string, frame: string) {
    super(message);
    this.frame = frame.length > 500 ? `${frame.slice(0, 500)}…` : frame;
  }
}
