// The event journal's HTTP/SSE contract, shared by the proxy and the SPA.
import type { ConsoleRole } from './api.ts';
import type { JsonObject, QmpTimestamp } from './qmp.ts';

/**
 * One journal entry: QMP's event shape plus the console's fields.
 * `data` is absent when QEMU sent none (STOP, RESUME), exactly as on the wire.
 */
export interface JournalRecord {
  /** Console-wide, strictly increasing; the SSE `id:`. */
  seq: number;
  vm: string;
  event: string;
  data?: JsonObject;
  /** QEMU's own timestamp (-1/-1 if QEMU's clock failed); the console's clock for console entries. */
  timestamp: QmpTimestamp;
  /** ISO time the console received (and journaled) the event. */
  received: string;
  /** Present only on the console's own entries, never on QEMU's. */
  source?: 'console';
}

/** The console's own entries in the timeline (`source: "console"`). */
export const ConsoleEvent = {
  /** The console connected to the VM's QMP socket; data `{version}` (QEMU's greeting version). */
  CONNECTED: 'CONSOLE_CONNECTED',
  /** The console lost (or could not make) the connection; data `{reason}`. */
  DISCONNECTED: 'CONSOLE_DISCONNECTED',
  /** Events the console could not keep (journal write failures outlasted the memory backlog); data `{lost, firstSeq, lastSeq}`. */
  JOURNAL_GAP: 'CONSOLE_JOURNAL_GAP',
} as const;

/** `GET /api/events`, `GET /api/vms/NAME/events` (JSON form). */
export interface JournalPage {
  events: JournalRecord[];
  /**
   * Cursor of the next page, or null when this page is the last: pass it as `before=` (order=desc)
   * or `after=` (order=asc) with the same other parameters.
   */
  next: number | null;
}

/** Events that open (or coalesce into) an alert. */
export const ALERT_EVENTS = [
  'BLOCK_IO_ERROR',
  'GUEST_PANICKED',
  'BLOCK_JOB_ERROR',
  'WATCHDOG',
  'BLOCK_WRITE_THRESHOLD',
  'GUEST_CRASHLOADED',
] as const;
export type AlertEvent = (typeof ALERT_EVENTS)[number];

/**
 * `critical`: something failed or stopped (an I/O error, a panic, a failed job). `warning`: nothing has
 * failed yet, but will if nobody acts (a write crossed a node's threshold: grow the volume before the
 * guest hits ENOSPC and the VM pauses).
 */
export type AlertSeverity = 'critical' | 'warning';

const WARNING_EVENTS: ReadonlySet<string> = new Set(['BLOCK_WRITE_THRESHOLD']);

/** An alert event's severity. */
export function alertSeverity(event: string): AlertSeverity {
  return WARNING_EVENTS.has(event) ? 'warning' : 'critical';
}

/** A received alert's severity: consoles from before severities send none, and meant critical. */
export function alertSeverityOf(alert: Pick<JournalAlert, 'severity'>): AlertSeverity {
  return alert.severity ?? 'critical';
}

export type AlertState = 'open' | 'acknowledged';

/**
 * An alert: the first event of its kind, and every repeat with the same (vm, event, device or node,
 * operation, reason) while it stays open, coalesced into `count`.
 */
export interface JournalAlert {
  id: number;
  vm: string;
  event: AlertEvent;
  /** Absent from consoles older than severities: read it with `severityOf` (absent = critical). */
  severity?: AlertSeverity;
  /** BLOCK_IO_ERROR: the BlockBackend name (null when QEMU gave ""); BLOCK_JOB_ERROR: the job id. */
  device: string | null;
  /** BLOCK_IO_ERROR, BLOCK_WRITE_THRESHOLD: `node-name`. */
  node: string | null;
  /** `read` | `write` for block errors. */
  operation: string | null;
  /** What QEMU did: `ignore` | `report` | `stop` (block), the watchdog or panic action. */
  action: string | null;
  /**
   * QEMU's human text, e.g. "Input/output error"; BLOCK_WRITE_THRESHOLD: how far past the threshold the
   * write went, e.g. "write went 983040 bytes past the 65536-byte threshold".
   */
  reason: string | null;
  /** true: ENOSPC (disk full); null when QEMU did not say. */
  nospace: boolean | null;
  count: number;
  /** ISO times the first and the latest coalesced event were received. */
  first: string;
  last: string;
  /** Journal sequence numbers of the first and the latest coalesced event. */
  firstSeq: number;
  lastSeq: number;
  state: AlertState;
  acknowledgedBy?: string;
  acknowledgedAt?: string;
}

/** `GET /api/alerts?state=open|acknowledged&vm=NAME&limit=N` */
export interface AlertList {
  alerts: JournalAlert[];
}

/** `POST /api/alerts/ID/ack`, and `GET /api/alerts/ID` (one alert, open or acknowledged). */
export interface AlertAckResult {
  alert: JournalAlert;
}

/** The journal's health: on each `GET /api/vms` entry (`journal`) and at `GET /api/journal`. */
export interface JournalHealth {
  /** false while appends fail (disk full, I/O error): events are kept in memory and retried. */
  ok: boolean;
  /** What failed, for people; null when ok. */
  error: string | null;
  /** ISO time the current failure began; null when ok. */
  failingSince: string | null;
  /** Events held in memory waiting to be written. */
  backlog: number;
  /** Events that could not be kept at all (backlog full) since the console started. */
  lost: number;
  /** Audit records held in memory waiting to be written. */
  auditBacklog: number;
  /**
   * Audit records that could not be kept since the console started (the memory backlog was full while
   * writes failed, or the console stopped before they could be written).
   */
  auditLost: number;
}

/** `GET /api/journal` */
export interface JournalStatus extends JournalHealth {
  /** Oldest and newest sequence numbers kept; 0 when the journal is empty. */
  firstSeq: number;
  lastSeq: number;
  retention: { maxEvents: number; maxAgeMs: number | null };
  /** The audit trail's own retention, apart from the events'. */
  auditRetention: { maxRecords: number; maxAgeMs: number | null };
}

/**
 * SSE: `GET /api/events/stream`, `GET /api/vms/NAME/events/stream` (optional `event=` filters).
 * Resume with the `Last-Event-ID` header (EventSource does it) or `?after=SEQ`.
 */
export const JournalSse = {
  /** `id:` = seq, data = a JournalRecord. */
  RECORD: 'qmp',
  /** No `id:`; data = a JournalAlert, its state after a change (new, coalesced repeat, acknowledged). */
  ALERT: 'alert',
  /**
   * First message of every connection: `id:` = the position the stream continues from, data =
   * `{alerts: JournalAlert[]}`, the open alerts now (replace any local copy with it).
   */
  ALERTS: 'alerts',
} as const;

export interface AlertSnapshot {
  alerts: JournalAlert[];
}

/** Who sent a command: the role its token gave it, and where it came from (`127.0.0.1:51234`, `unix`). */
export interface ClientContext {
  role: ConsoleRole;
  remoteAddress: string;
}

/** One command a client ran, as the console hears of it (the audit log and the journal record it). */
export interface CommandRecord {
  vm: string;
  context: ClientContext;
  command: string;
  argumentNames: string[];
  outcome: 'ok' | 'error' | 'denied' | 'lost';
  errorClass?: string;
  /** From forwarding the command to QEMU's reply (ok and error outcomes). */
  durationSeconds?: number;
  /** Denied outcomes: why (the viewer role or --read-only, a --deny pattern, a name no command has). */
  refusal?: 'viewer' | 'deny' | 'name-too-long';
  /** Refusals this one record stands for (a summary of a window's refusals); absent means 1. */
  count?: number;
}

/** One command a client ran, as the audit trail keeps it: argument names, never their values. */
export interface AuditRecord {
  id: number;
  /** ISO time the console answered it. */
  at: string;
  vm: string;
  command: string;
  argumentNames: string[];
  outcome: CommandRecord['outcome'];
  errorClass: string | null;
  role: string;
  /** The client's address as the console saw it (a summary names the first and how many more). */
  remote: string;
  /** Commands this record stands for: 1, or the refusals a summary record counts. */
  count: number;
}

/**
 * `GET /api/audit?before=ID&vm=NAME&limit=N` (operator role): newest first; `next` is the `before=` of
 * the next page (same other parameters).
 */
export interface AuditList {
  records: AuditRecord[];
  next: number | null;
}
