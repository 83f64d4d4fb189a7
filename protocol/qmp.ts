// QMP's wire shapes as QEMU sends and takes them, shared by the proxy and the browser client.

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

// The guards check every member the proxy and the SPA go on to use: what QEMU sends is read, not trusted.
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isFiniteNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

export function isQmpEvent(msg: unknown): msg is QmpEvent {
  if (!isObject(msg) || typeof msg.event !== 'string') return false;
  const ts = msg.timestamp;
  return (
    isObject(ts) &&
    isFiniteNumber(ts.seconds) &&
    isFiniteNumber(ts.microseconds) &&
    (msg.data === undefined || isObject(msg.data))
  );
}

export function isQmpReply(msg: unknown): msg is QmpReply {
  if (!isObject(msg)) return false;
  if ('return' in msg) return true;
  const e = msg.error;
  return isObject(e) && typeof e.class === 'string' && typeof e.desc === 'string';
}

export function isQmpGreeting(msg: unknown): msg is QmpGreeting {
  if (!isObject(msg) || !isObject(msg.QMP)) return false;
  const { version, capabilities } = msg.QMP;
  return (
    Array.isArray(capabilities) &&
    capabilities.every((c) => typeof c === 'string') &&
    isObject(version) &&
    typeof version.package === 'string' &&
    isObject(version.qemu) &&
    isFiniteNumber(version.qemu.major) &&
    isFiniteNumber(version.qemu.minor) &&
    isFiniteNumber(version.qemu.micro)
  );
}

export function isQmpFailure(reply: QmpReply): reply is QmpFailure {
  return 'error' in reply;
}

export function formatQemuVersion(v: QmpVersion): string {
  return `${v.qemu.major}.${v.qemu.minor}.${v.qemu.micro}`;
}

/** QAPI JobStatus. `null`: the job is gone (dismissed); `concluded`: finished, waiting for job-dismiss. */
export type JobStatus =
  | 'undefined'
  | 'created'
  | 'running'
  | 'paused'
  | 'ready'
  | 'standby'
  | 'waiting'
  | 'pending'
  | 'aborting'
  | 'concluded'
  | 'null';

/** `query-jobs`: one JobInfo. Progress is in arbitrary units of the job's own (bytes for block jobs). */
export interface JobInfo {
  id: string;
  type: string;
  status: JobStatus;
  'current-progress': number;
  'total-progress': number;
  /** Set once a concluded job failed or was cancelled. */
  error?: string;
}
