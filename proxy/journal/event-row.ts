// The journal's records as it holds them, their JSON, and the queries over them.
import type { AlertState, JournalRecord } from '../../protocol/journal.ts';

/** One event as stored. `data` is QEMU's `data` as JSON text, or null when the event had none. */
export interface EventRow {
  seq: number;
  vm: string;
  event: string;
  data: string | null;
  tsSeconds: number;
  tsMicro: number;
  /** Epoch milliseconds. */
  received: number;
  source: 'qemu' | 'console';
}

/** One command's audit record: argument names only, never values. */
export interface AuditRow {
  at: number;
  vm: string;
  command: string;
  argumentNames: string[];
  outcome: string;
  errorClass: string | null;
  role: string;
  remote: string;
  /** Refusals a summary record stands for; 1 for one command. */
  count: number;
}

export interface EventQuery {
  vm?: string;
  /** Sequence bounds, exclusive. */
  after?: number;
  before?: number;
  /** Received-time bounds in epoch ms: since ≤ received < until. */
  since?: number;
  until?: number;
  events?: string[];
  limit: number;
  order: 'asc' | 'desc';
}

export interface AlertQuery {
  state?: AlertState;
  vm?: string;
  limit: number;
}

/** The audit trail's own retention: a flood of events never pushes out who did what, nor the reverse. */
export interface AuditRetentionPolicy {
  maxRecords: number;
  maxAgeMs: number | null;
}

export interface RetentionPolicy {
  maxEvents: number;
  maxAgeMs: number | null;
}

/** A record's JSON text, built without re-parsing the stored data. */
export function recordJson(r: EventRow): string {
  return `{"seq":${r.seq},"vm":${JSON.stringify(r.vm)},"event":${JSON.stringify(r.event)}${
    r.data !== null ? `,"data":${r.data}` : ''
  },"timestamp":{"seconds":${r.tsSeconds},"microseconds":${r.tsMicro}},"received":"${new Date(
    r.received,
  ).toISOString()}"${r.source === 'console' ? ',"source":"console"' : ''}}`;
}

export function toJournalRecord(r: EventRow): JournalRecord {
  return JSON.parse(recordJson(r)) as JournalRecord;
}

/** Whether a row passes a query's filters (seq, time, VM and event names; not limit or order). */
export function rowMatches(r: EventRow, q: Omit<EventQuery, 'limit' | 'order'>): boolean {
  return (
    (q.vm === undefined || r.vm === q.vm) &&
    (!q.events?.length || q.events.includes(r.event)) &&
    (q.after === undefined || r.seq > q.after) &&
    (q.before === undefined || r.seq < q.before) &&
    (q.since === undefined || r.received >= q.since) &&
    (q.until === undefined || r.received < q.until)
  );
}
