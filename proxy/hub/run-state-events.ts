// Which QMP events move a VM's run state, in QEMU 7.2's terms (softmmu/runstate.c): the proxy's one
// place for that knowledge.
//
// Most events say what the state is now. STOP does not: it is sent whenever a running VM stops,
// whatever the new state. QEMU announces the cause first (BLOCK_IO_ERROR with action `stop`, then
// STOP: `io-error`; GUEST_PANICKED with action `pause`: `guest-panicked`; WATCHDOG `pause`: `watchdog`;
// SHUTDOWN with -no-shutdown: `shutdown`; migration's last phase: `finish-migrate`), and only when
// the VM was running: a stopped VM gets no STOP and keeps its state. A STOP without such a cause is
// a plain `paused` (the `stop` command, a debugger) until `query-status` confirms it.
import type { QmpEvent } from '../../protocol/qmp.ts';

/** A run state and why it was entered, in QEMU's words (a ShutdownCause, or the state itself). */
export interface RunStateCause {
  status: string;
  reason: string | null;
}

export type RunStateEffect =
  /** The VM is now in this state. */
  | ({ kind: 'state' } & RunStateCause)
  /** The VM, if running, stops now: the STOP that follows enters this state. */
  | ({ kind: 'stop-cause' } & RunStateCause)
  /** The VM stopped; its state is the announced cause's, or `paused` (to be confirmed). */
  | { kind: 'stop' }
  /** A reset: a running VM keeps running; a stopped one is put in `prelaunch` (no event says so). */
  | { kind: 'reset'; reason: string | null }
  /** The state may have moved without an event saying where (migration's end): ask `query-status`. */
  | { kind: 'requery' }
  | null;

/** Migration phases during which the source VM may be stopped for the last copy. */
const MIGRATING = new Set(['setup', 'active', 'pre-switchover', 'device', 'postcopy-active']);
const MIGRATION_OVER = new Set(['completed', 'failed', 'cancelled']);

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export function runStateEffect(event: QmpEvent): RunStateEffect {
  const data = event.data ?? {};
  switch (event.event) {
    case 'STOP':
      return { kind: 'stop' };
    case 'RESUME':
      return { kind: 'state', status: 'running', reason: null };
    case 'SUSPEND':
      return { kind: 'state', status: 'suspended', reason: null };
    case 'WAKEUP':
      return { kind: 'state', status: 'running', reason: null };
    case 'BLOCK_IO_ERROR':
      return data.action === 'stop' ? { kind: 'stop-cause', status: 'io-error', reason: 'io-error' } : null;
    case 'GUEST_PANICKED':
      return data.action === 'pause'
        ? { kind: 'stop-cause', status: 'guest-panicked', reason: 'guest-panic' }
        : null;
    case 'WATCHDOG':
      return data.action === 'pause' ? { kind: 'stop-cause', status: 'watchdog', reason: 'watchdog' } : null;
    case 'SHUTDOWN':
      // With -no-shutdown (or -action shutdown=pause) QEMU stops in `shutdown`; otherwise it exits.
      return { kind: 'stop-cause', status: 'shutdown', reason: text(data.reason) ?? 'shutdown' };
    case 'RESET':
      return { kind: 'reset', reason: text(data.reason) };
    case 'MIGRATION': {
      const status = text(data.status) ?? '';
      if (MIGRATING.has(status)) return { kind: 'stop-cause', status: 'finish-migrate', reason: 'migration' };
      // The source ends in `postmigrate` or resumes; the destination runs or waits in `paused`.
      if (MIGRATION_OVER.has(status)) return { kind: 'requery' };
      return null;
    }
    default:
      return null;
  }
}

/** query-status's `running`: true in `running` only (QEMU's runstate_is_running). */
export function isRunningStatus(status: string): boolean {
  return status === 'running';
}
