// One line of plain words per event type, and the severity each event is shown with (the event log).
import { ALERT_EVENTS, ConsoleEvent } from '../../../protocol/journal.ts';
import type { Json, JsonObject } from '../../../protocol/qmp.ts';
import { blockActionText, diskLabel, vmActionText } from './alert-text.ts';

export type Severity = 'alert' | 'state' | 'info' | 'console';

const alertEvents = new Set<string>(ALERT_EVENTS);

/** Run-state changes: the VM started, stopped, reset, slept or went away. */
export const STATE_EVENTS: ReadonlySet<string> = new Set([
  'STOP',
  'RESUME',
  'SHUTDOWN',
  'RESET',
  'POWERDOWN',
  'SUSPEND',
  'SUSPEND_DISK',
  'WAKEUP',
]);

export function severityOf(event: string, fromConsole: boolean): Severity {
  if (fromConsole) return event === ConsoleEvent.JOURNAL_GAP ? 'alert' : 'console';
  if (alertEvents.has(event)) return 'alert';
  if (STATE_EVENTS.has(event)) return 'state';
  return 'info';
}

export const SEVERITY_LABEL: Record<Severity, string> = {
  alert: 'Alert',
  state: 'State change',
  info: 'Information',
  console: 'Console',
};

const str = (v: Json | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** QEMU's SHUTDOWN/RESET `reason` (ShutdownCause) in plain words. */
const SHUTDOWN_CAUSES: Record<string, string> = {
  none: 'no reason given',
  'host-error': 'an error in QEMU',
  'host-qmp-quit': 'quit requested over QMP',
  'host-qmp-system-reset': 'reset requested over QMP',
  'host-signal': 'QEMU received a signal',
  'host-ui': "closed from QEMU's window",
  'guest-shutdown': 'the guest shut down',
  'guest-reset': 'the guest rebooted',
  'guest-panic': 'the guest panicked',
  'subsystem-reset': 'a subsystem reset',
  'snapshot-load': 'a snapshot was loaded',
};

export function shutdownCause(reason: string | null): string {
  if (reason === null) return 'no reason given';
  return SHUTDOWN_CAUSES[reason] ?? reason;
}

function blockIoError(d: JsonObject): string {
  const op = str(d.operation) ?? 'I/O';
  const reason = str(d.reason);
  const what =
    d.nospace === true ? `, disk full${reason ? ` (${reason})` : ''}` : ` (${reason ?? 'unknown reason'})`;
  return `${diskLabel(str(d.device), str(d['node-name']))}: ${op} failed${what}, ${blockActionText(str(d.action))}`;
}

function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

function jobLabel(d: JsonObject): string {
  const type = str(d.type);
  const dev = str(d.device) ?? str(d.id) ?? 'unnamed';
  return `${type ? `${type} job` : 'job'} ${dev}`;
}

function fallback(d: JsonObject | undefined): string {
  if (!d) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(d)) {
    parts.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
    if (parts.join(' ').length > 160) break;
  }
  const text = parts.join(' ');
  return text.length > 160 ? `${text.slice(0, 159)}…` : text;
}

function versionText(v: Json | undefined): string | null {
  const q = (v as { qemu?: { major?: unknown; minor?: unknown; micro?: unknown } } | null)?.qemu;
  if (!q || typeof q.major !== 'number') return null;
  return `${q.major}.${q.minor}.${q.micro}`;
}

/** One line of plain words for an event; '' when there is nothing to add to its name. */
export function summarize(event: string, data: JsonObject | undefined, fromConsole = false): string {
  const d = data ?? {};
  if (fromConsole) {
    switch (event) {
      case ConsoleEvent.CONNECTED: {
        const v = versionText(d.version);
        return `console connected to QEMU${v ? ` ${v}` : ''}`;
      }
      case ConsoleEvent.DISCONNECTED:
        return `console lost the connection${str(d.reason) ? `: ${str(d.reason)}` : ''}`;
      case ConsoleEvent.JOURNAL_GAP:
        return `${typeof d.lost === 'number' ? d.lost.toLocaleString('en-US') : 'some'} events could not be kept (seq ${d.firstSeq}–${d.lastSeq})`;
      default:
        return fallback(data);
    }
  }
  switch (event) {
    case 'BLOCK_IO_ERROR':
      return blockIoError(d);
    case 'STOP':
      return 'VM paused';
    case 'RESUME':
      return 'VM resumed';
    case 'SHUTDOWN':
      return `shut down: ${shutdownCause(str(d.reason))}`;
    case 'RESET':
      return `reset: ${shutdownCause(str(d.reason))}`;
    case 'POWERDOWN':
      return 'power button pressed (ACPI)';
    case 'SUSPEND':
      return 'guest suspended to RAM';
    case 'SUSPEND_DISK':
      return 'guest suspended to disk';
    case 'WAKEUP':
      return 'guest woke up';
    case 'GUEST_PANICKED':
      return `guest panicked, ${vmActionText(str(d.action))}`;
    case 'GUEST_CRASHLOADED':
      return 'guest crashed and loaded a crash kernel';
    case 'WATCHDOG':
      return `watchdog expired, ${vmActionText(str(d.action))}`;
    case 'BLOCK_JOB_ERROR':
      return `${jobLabel(d)}: ${str(d.operation) ?? 'I/O'} failed, ${
        str(d.action) === 'stop' ? 'job paused' : blockActionText(str(d.action))
      }`;
    case 'BLOCK_JOB_COMPLETED': {
      const err = str(d.error);
      return err ? `${jobLabel(d)} failed: ${err}` : `${jobLabel(d)} completed`;
    }
    case 'BLOCK_JOB_CANCELLED':
      return `${jobLabel(d)} cancelled`;
    case 'BLOCK_JOB_READY':
      return `${jobLabel(d)} ready to complete`;
    case 'BLOCK_JOB_PENDING':
      return `${jobLabel(d)} waiting to finalize`;
    case 'JOB_STATUS_CHANGE':
      return `job ${str(d.id) ?? '?'}: ${str(d.status) ?? '?'}`;
    case 'DEVICE_DELETED': {
      const dev = str(d.device);
      return `device ${dev ?? str(d.path) ?? '?'} removed${dev && str(d.path) ? ` (${str(d.path)})` : ''}`;
    }
    case 'DEVICE_TRAY_MOVED':
      return `${str(d.device) ?? str(d.id) ?? 'drive'}: tray ${d['tray-open'] === true ? 'opened' : 'closed'}`;
    case 'BALLOON_CHANGE':
      return typeof d.actual === 'number' ? `guest memory now ${bytes(d.actual)}` : 'balloon changed';
    case 'RTC_CHANGE':
      return typeof d.offset === 'number'
        ? `guest set its clock (offset ${d.offset >= 0 ? '+' : ''}${d.offset} s)`
        : 'guest set its clock';
    case 'MIGRATION':
      return `migration ${str(d.status) ?? 'changed'}`;
    case 'MIGRATION_PASS':
      return `migration pass ${d.pass}`;
    case 'NIC_RX_FILTER_CHANGED':
      return `${str(d.name) ?? 'NIC'}: receive filter changed`;
    case 'VSERPORT_CHANGE':
      return `virtio serial port ${str(d.id) ?? '?'} ${d.open === true ? 'opened' : 'closed'}`;
    case 'QUORUM_REPORT_BAD':
      return `quorum: bad ${str(d.type) ?? 'I/O'} on ${str(d['node-name']) ?? '?'}${str(d.error) ? ` (${str(d.error)})` : ''}`;
    case 'QUORUM_FAILURE':
      return `quorum failure on ${str(d.reference) ?? '?'}`;
    case 'MEMORY_DEVICE_SIZE_CHANGE':
      return typeof d.size === 'number'
        ? `memory device ${str(d.id) ?? ''} now ${bytes(d.size)}`.replace('  ', ' ')
        : 'memory device size changed';
    default:
      return fallback(data);
  }
}
