// The event catalogue: for each QMP event, the severity it is shown with, its one line of plain words,
// the queries it makes stale, and the run state it leaves the VM in when it stops or starts it.
import { ConsoleEvent } from '../../../protocol/journal.ts';
import type { Json, JsonObject } from '../../../protocol/qmp.ts';
import { blockActionText, bytes, diskLabel, shutdownCause, vmActionText } from './qemu-words.ts';
import type { RunState } from './run-state.ts';

export type Severity = 'alert' | 'state' | 'info' | 'console';

export interface EventFacts {
  /** `alert`: opens an alert in the journal; `state`: a run-state change. */
  severity: Exclude<Severity, 'console'>;
  /** The query commands the event makes stale. */
  stale?: readonly string[];
  /** The run state the VM is in when this event stopped or started it. */
  runState?: RunState;
  /** One line of plain words; '' or absent when there is nothing to add to the event's name. */
  summary?: (d: JsonObject) => string;
}

const str = (v: Json | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);

function jobLabel(d: JsonObject): string {
  const type = str(d.type);
  const dev = str(d.device) ?? str(d.id) ?? 'unnamed';
  return `${type ? `${type} job` : 'job'} ${dev}`;
}

/** What a job's events make stale: both job queries. */
const JOB_STALE = ['query-jobs', 'query-block-jobs'] as const;

// Run state, disks, devices and displays. `query-status` is the console's (it reaches the browser in
// GET /api/vms and /api/stream); a VM page's own query of it is refreshed here too.
export const EVENTS: Readonly<Record<string, EventFacts>> = {
  STOP: { severity: 'state', stale: ['query-status'], summary: () => 'VM paused' },
  // `cont` also resets every disk's io-status (QEMU's qmp_cont), so a failed disk may read ok again.
  RESUME: {
    severity: 'state',
    stale: ['query-status', 'query-block'],
    runState: 'running',
    summary: () => 'VM resumed',
  },
  RESET: {
    severity: 'state',
    stale: ['query-status'],
    summary: (d) => `reset: ${shutdownCause(str(d.reason))}`,
  },
  SHUTDOWN: {
    severity: 'state',
    stale: ['query-status'],
    runState: 'shutdown',
    summary: (d) => `shut down: ${shutdownCause(str(d.reason))}`,
  },
  POWERDOWN: { severity: 'state', stale: ['query-status'], summary: () => 'power button pressed (ACPI)' },
  SUSPEND: {
    severity: 'state',
    stale: ['query-status'],
    runState: 'suspended',
    summary: () => 'guest suspended to RAM',
  },
  SUSPEND_DISK: { severity: 'state', summary: () => 'guest suspended to disk' },
  WAKEUP: { severity: 'state', stale: ['query-status'], runState: 'running', summary: () => 'guest woke up' },
  GUEST_PANICKED: {
    severity: 'alert',
    stale: ['query-status'],
    runState: 'guest-panicked',
    summary: (d) => `guest panicked, ${vmActionText(str(d.action))}`,
  },
  GUEST_CRASHLOADED: { severity: 'alert', summary: () => 'guest crashed and loaded a crash kernel' },
  WATCHDOG: {
    severity: 'alert',
    stale: ['query-status'],
    runState: 'watchdog',
    summary: (d) => `watchdog expired, ${vmActionText(str(d.action))}`,
  },
  // A disk error sets io-status and, with werror/rerror=stop, stops the VM in io-error.
  BLOCK_IO_ERROR: {
    severity: 'alert',
    stale: ['query-status', 'query-block', 'query-blockstats'],
    runState: 'io-error',
    summary: (d) => {
      const reason = str(d.reason);
      const what =
        d.nospace === true
          ? `, disk full${reason ? ` (${reason})` : ''}`
          : ` (${reason ?? 'unknown reason'})`;
      return `${diskLabel(str(d.device), str(d['node-name']))}: ${str(d.operation) ?? 'I/O'} failed${what}, ${blockActionText(str(d.action))}`;
    },
  },
  BLOCK_JOB_ERROR: {
    severity: 'alert',
    stale: JOB_STALE,
    summary: (d) =>
      `${jobLabel(d)}: ${str(d.operation) ?? 'I/O'} failed, ${
        str(d.action) === 'stop' ? 'job paused' : blockActionText(str(d.action))
      }`,
  },
  // A mirror's completion also moves its disk to the target image.
  BLOCK_JOB_COMPLETED: {
    severity: 'info',
    stale: [...JOB_STALE, 'query-block', 'query-named-block-nodes'],
    summary: (d) => {
      const err = str(d.error);
      return err ? `${jobLabel(d)} failed: ${err}` : `${jobLabel(d)} completed`;
    },
  },
  BLOCK_JOB_CANCELLED: { severity: 'info', stale: JOB_STALE, summary: (d) => `${jobLabel(d)} cancelled` },
  BLOCK_JOB_READY: { severity: 'info', stale: JOB_STALE, summary: (d) => `${jobLabel(d)} ready to complete` },
  BLOCK_JOB_PENDING: {
    severity: 'info',
    stale: JOB_STALE,
    summary: (d) => `${jobLabel(d)} waiting to finalize`,
  },
  // QEMU disarms a threshold when it fires: the node's write_threshold reads 0 again.
  BLOCK_WRITE_THRESHOLD: {
    severity: 'alert',
    stale: ['query-named-block-nodes'],
    summary: (d) =>
      `node ${str(d['node-name']) ?? '?'}: a write went ${typeof d['amount-exceeded'] === 'number' ? bytes(d['amount-exceeded']) : 'some way'} past its write threshold`,
  },
  JOB_STATUS_CHANGE: {
    severity: 'info',
    stale: JOB_STALE,
    summary: (d) => `job ${str(d.id) ?? '?'}: ${str(d.status) ?? '?'}`,
  },
  // A removed device can be a disk, a PCI card, a vCPU or a memory device, and leaves the QOM tree.
  DEVICE_DELETED: {
    severity: 'info',
    stale: ['query-block', 'query-pci', 'query-cpus-fast', 'query-memory-size-summary', 'qom-list'],
    summary: (d) => {
      const dev = str(d.device);
      return `device ${dev ?? str(d.path) ?? '?'} removed${dev && str(d.path) ? ` (${str(d.path)})` : ''}`;
    },
  },
  DEVICE_TRAY_MOVED: {
    severity: 'info',
    stale: ['query-block', 'query-pci'],
    summary: (d) =>
      `${str(d.device) ?? str(d.id) ?? 'drive'}: tray ${d['tray-open'] === true ? 'opened' : 'closed'}`,
  },
  BALLOON_CHANGE: {
    severity: 'info',
    stale: ['query-balloon'],
    summary: (d) =>
      typeof d.actual === 'number' ? `guest memory now ${bytes(d.actual)}` : 'balloon changed',
  },
  MEMORY_DEVICE_SIZE_CHANGE: {
    severity: 'info',
    stale: ['query-memory-size-summary'],
    summary: (d) =>
      typeof d.size === 'number'
        ? `memory device ${str(d.id) ?? ''} now ${bytes(d.size)}`.replace('  ', ' ')
        : 'memory device size changed',
  },
  RTC_CHANGE: {
    severity: 'info',
    summary: (d) =>
      typeof d.offset === 'number'
        ? `guest set its clock (offset ${d.offset >= 0 ? '+' : ''}${d.offset} s)`
        : 'guest set its clock',
  },
  // A finished migration leaves the source in postmigrate.
  MIGRATION: {
    severity: 'info',
    stale: ['query-migrate', 'query-status'],
    summary: (d) => `migration ${str(d.status) ?? 'changed'}`,
  },
  MIGRATION_PASS: { severity: 'info', stale: ['query-migrate'], summary: (d) => `migration pass ${d.pass}` },
  NIC_RX_FILTER_CHANGED: {
    severity: 'info',
    summary: (d) => `${str(d.name) ?? 'NIC'}: receive filter changed`,
  },
  // A guest opening or closing a virtio-serial port.
  VSERPORT_CHANGE: {
    severity: 'info',
    stale: ['query-chardev'],
    summary: (d) => `virtio serial port ${str(d.id) ?? '?'} ${d.open === true ? 'opened' : 'closed'}`,
  },
  QUORUM_REPORT_BAD: {
    severity: 'info',
    summary: (d) =>
      `quorum: bad ${str(d.type) ?? 'I/O'} on ${str(d['node-name']) ?? '?'}${str(d.error) ? ` (${str(d.error)})` : ''}`,
  },
  QUORUM_FAILURE: { severity: 'info', summary: (d) => `quorum failure on ${str(d.reference) ?? '?'}` },
  // Display clients coming and going.
  VNC_CONNECTED: { severity: 'info', stale: ['query-vnc'] },
  VNC_INITIALIZED: { severity: 'info', stale: ['query-vnc'] },
  VNC_DISCONNECTED: { severity: 'info', stale: ['query-vnc'] },
  SPICE_CONNECTED: { severity: 'info', stale: ['query-spice'] },
  SPICE_INITIALIZED: { severity: 'info', stale: ['query-spice'] },
  SPICE_DISCONNECTED: { severity: 'info', stale: ['query-spice'] },
};

function factsOf(event: string): EventFacts | undefined {
  return Object.hasOwn(EVENTS, event) ? EVENTS[event] : undefined;
}

/** The query commands an event makes stale (none for events not in the catalogue). */
export function staleCommandsFor(event: string): readonly string[] {
  return factsOf(event)?.stale ?? [];
}

export function severityOf(event: string, fromConsole: boolean): Severity {
  if (fromConsole) return event === ConsoleEvent.JOURNAL_GAP ? 'alert' : 'console';
  return factsOf(event)?.severity ?? 'info';
}

export const SEVERITY_LABEL: Record<Severity, string> = {
  alert: 'Alert',
  state: 'State change',
  info: 'Information',
  console: 'Console',
};

/**
 * Whether the VM sits in the run state an alert's event leaves it in (a disk error → `io-error`, a
 * panic → `guest-panicked`): then resuming it is the alert's remedy.
 */
export function pausedByEvent(event: string, status: string | undefined): boolean {
  return status !== undefined && factsOf(event)?.runState === status && status !== 'running';
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

/** The console's own journal entries in plain words. */
function summarizeConsole(event: string, d: JsonObject, data: JsonObject | undefined): string {
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

/** One line of plain words for an event; '' when there is nothing to add to its name. */
export function summarize(event: string, data: JsonObject | undefined, fromConsole = false): string {
  const d = data ?? {};
  if (fromConsole) return summarizeConsole(event, d, data);
  const summary = factsOf(event)?.summary;
  return summary ? summary(d) : fallback(data);
}
