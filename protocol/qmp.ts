// QMP's wire shapes (docs/interop/qmp-spec), shared by the proxy and the browser client.

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface QmpVersion {
  qemu: { major: number; minor: number; micro: number };
  package: string;
}

/** Section 2.2: the server's first message. */
export interface QmpGreeting {
  QMP: { version: QmpVersion; capabilities: string[] };
}

/** Section 2.3: a command, `execute` or (with the oob capability) `exec-oob`. */
export interface QmpCommand {
  execute?: string;
  'exec-oob'?: string;
  arguments?: JsonObject;
  id?: Json;
}

export interface QmpErrorBody {
  class: string;
  desc: string;
}

export interface QmpSuccess {
  return: Json;
  id?: Json;
}

export interface QmpFailure {
  error: QmpErrorBody;
  id?: Json;
}

export type QmpReply = QmpSuccess | QmpFailure;

export interface QmpTimestamp {
  seconds: number;
  microseconds: number;
}

/** Section 2.5: an asynchronous event. */
export interface QmpEvent {
  event: string;
  data?: JsonObject;
  timestamp: QmpTimestamp;
}

export type QmpServerMessage = QmpGreeting | QmpReply | QmpEvent;

export function isQmpEvent(msg: unknown): msg is QmpEvent {
  return typeof msg === 'object' && msg !== null && typeof (msg as QmpEvent).event === 'string';
}

export function isQmpReply(msg: unknown): msg is QmpReply {
  return typeof msg === 'object' && msg !== null && ('return' in msg || 'error' in msg);
}

export function isQmpGreeting(msg: unknown): msg is QmpGreeting {
  return typeof msg === 'object' && msg !== null && 'QMP' in msg;
}

export function isQmpFailure(reply: QmpReply): reply is QmpFailure {
  return 'error' in reply;
}

export function formatQemuVersion(v: QmpVersion): string {
  return `${v.qemu.major}.${v.qemu.minor}.${v.qemu.micro}`;
}
