// Which events open alerts, how repeats coalesce, and the open alerts held in memory.
import type { AlertEvent, JournalAlert } from '../../protocol/journal.ts';
import { ALERT_EVENTS, alertSeverity } from '../../protocol/journal.ts';
import type { JsonObject } from '../../protocol/qmp.ts';

/** What an alert event says, in the alert's terms (the shared API type's facts). */
export type AlertFacts = Pick<
  JournalAlert,
  'event' | 'device' | 'node' | 'operation' | 'action' | 'reason' | 'nospace'
>;

/** An alert as the journal keeps it: the API's shape with times in epoch milliseconds. */
export interface Alert
  extends Omit<JournalAlert, 'severity' | 'first' | 'last' | 'acknowledgedBy' | 'acknowledgedAt'> {
  first: number;
  last: number;
  acknowledgedBy: string | null;
  acknowledgedAt: number | null;
}

const alertEvents = new Set<string>(ALERT_EVENTS);

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

const byteCount = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;

/** `64 KiB`, `1.5 MiB`: thresholds are set in bytes, but operators think in binary units. */
export function binaryBytes(n: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} bytes` : `${Number(value.toFixed(1))} ${units[unit]}`;
}

/**
 * BLOCK_WRITE_THRESHOLD carries `amount-exceeded` (bytes the write went past) and `write-threshold`;
 * QEMU disarms the threshold when it fires, so each crossing is its own event.
 */
export function thresholdReason(data: JsonObject): string | null {
  const exceeded = byteCount(data['amount-exceeded']);
  const threshold = byteCount(data['write-threshold']);
  if (exceeded === null && threshold === null) return null;
  const past = exceeded === null ? 'past' : `${binaryBytes(exceeded)} (${exceeded} bytes) past`;
  const at =
    threshold === null ? 'the threshold' : `the threshold at ${binaryBytes(threshold)} (${threshold} bytes)`;
  return `a write went ${past} ${at}`;
}

/** The alert facts of a QEMU event, or null when the event does not open alerts. */
export function alertFacts(event: string, data: JsonObject | undefined): AlertFacts | null {
  if (!alertEvents.has(event)) return null;
  const d = data ?? {};
  if (event === 'BLOCK_WRITE_THRESHOLD') {
    return {
      event,
      device: null,
      node: str(d['node-name']),
      operation: 'write',
      action: null,
      reason: thresholdReason(d),
      nospace: null,
    };
  }
  return {
    event: event as AlertEvent,
    device: str(d.device),
    node: str(d['node-name']),
    operation: str(d.operation),
    action: str(d.action),
    reason: str(d.reason),
    nospace: typeof d.nospace === 'boolean' ? d.nospace : null,
  };
}

/**
 * Repeats with the same key coalesce while the alert is open: (vm, event, device or node, operation,
 * reason). A write threshold's reason is the amount of its latest crossing, so its repeats coalesce
 * per node and the alert keeps the latest amount.
 */
export function alertKey(
  vm: string,
  f: Pick<AlertFacts, 'event' | 'device' | 'node' | 'operation' | 'reason'>,
) {
  const reason = f.event === 'BLOCK_WRITE_THRESHOLD' ? null : f.reason;
  return JSON.stringify([vm, f.event, f.device ?? f.node, f.operation, reason]);
}

export function toJournalAlert(a: Alert): JournalAlert {
  return {
    id: a.id,
    vm: a.vm,
    event: a.event,
    severity: alertSeverity(a.event),
    device: a.device,
    node: a.node,
    operation: a.operation,
    action: a.action,
    reason: a.reason,
    nospace: a.nospace,
    count: a.count,
    first: new Date(a.first).toISOString(),
    last: new Date(a.last).toISOString(),
    firstSeq: a.firstSeq,
    lastSeq: a.lastSeq,
    state: a.state,
    ...(a.acknowledgedBy !== null ? { acknowledgedBy: a.acknowledgedBy } : {}),
    ...(a.acknowledgedAt !== null ? { acknowledgedAt: new Date(a.acknowledgedAt).toISOString() } : {}),
  };
}

/**
 * The open alerts, authoritative in memory (so alerts keep working while the disk is full), and the
 * changes not yet written to the database.
 */
export class AlertBook {
  private readonly openByKey = new Map<string, Alert>();
  private readonly openById = new Map<number, Alert>();
  private readonly unsaved = new Map<number, Alert>();
  private nextId: number;

  constructor(open: Alert[], maxId: number) {
    for (const a of open) this.addOpen(a);
    this.nextId = maxId + 1;
  }

  /** Coalesces or opens; returns the changed alert, or null when the event is not an alert event. */
  apply(
    vm: string,
    event: string,
    data: JsonObject | undefined,
    seq: number,
    received: number,
  ): Alert | null {
    const facts = alertFacts(event, data);
    if (!facts) return null;
    const key = alertKey(vm, facts);
    let alert = this.openByKey.get(key);
    if (alert) {
      alert.count++;
      alert.last = received;
      alert.lastSeq = seq;
      alert.action = facts.action ?? alert.action;
      alert.nospace = facts.nospace ?? alert.nospace;
      alert.reason = facts.reason ?? alert.reason;
    } else {
      alert = {
        id: this.nextId++,
        vm,
        ...facts,
        count: 1,
        first: received,
        last: received,
        firstSeq: seq,
        lastSeq: seq,
        state: 'open',
        acknowledgedBy: null,
        acknowledgedAt: null,
      };
      this.addOpen(alert);
    }
    this.unsaved.set(alert.id, alert);
    return alert;
  }

  /** Acknowledges an open alert; null when no open alert has this id. */
  acknowledge(id: number, by: string, at: number): Alert | null {
    const alert = this.openById.get(id);
    if (!alert) return null;
    alert.state = 'acknowledged';
    alert.acknowledgedBy = by;
    alert.acknowledgedAt = at;
    this.openById.delete(id);
    this.openByKey.delete(alertKey(alert.vm, alert));
    this.unsaved.set(id, alert);
    return alert;
  }

  get(id: number): Alert | undefined {
    return this.openById.get(id) ?? this.unsaved.get(id);
  }

  open(): Alert[] {
    return [...this.openById.values()];
  }

  /** Changes not yet in the database, newest state of each. */
  pending(): Alert[] {
    return [...this.unsaved.values()];
  }

  /** The database now holds these states (call after the commit that wrote `pending()`). */
  saved(alerts: Alert[]): void {
    for (const a of alerts) if (this.unsaved.get(a.id) === a) this.unsaved.delete(a.id);
  }

  private addOpen(a: Alert): void {
    this.openByKey.set(alertKey(a.vm, a), a);
    this.openById.set(a.id, a);
  }
}
