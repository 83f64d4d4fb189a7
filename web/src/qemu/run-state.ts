// QEMU's run states (`query-status`, QAPI StatusInfo / RunState) and what each means for an operator.

export type RunState =
  | 'debug'
  | 'inmigrate'
  | 'internal-error'
  | 'io-error'
  | 'paused'
  | 'postmigrate'
  | 'prelaunch'
  | 'finish-migrate'
  | 'restore-vm'
  | 'running'
  | 'save-vm'
  | 'shutdown'
  | 'suspended'
  | 'watchdog'
  | 'guest-panicked'
  | 'colo';

export interface StatusInfo {
  running: boolean;
  /** Deprecated in QEMU 8.1; present in 7.2. */
  singlestep?: boolean;
  status: RunState;
}

const RUN_STATE_REASONS: Readonly<Record<RunState, string>> = {
  debug: 'Stopped by the debugger (gdbstub).',
  inmigrate: 'Waiting for an incoming migration.',
  'internal-error': 'Stopped after an internal error (for example, KVM could not run the guest).',
  'io-error':
    'Paused after a disk I/O error: the drive stops the VM on errors. Fix the storage, then resume.',
  paused: 'Paused (by a stop command or the user interface).',
  postmigrate: 'Paused after migrating out to another host.',
  prelaunch: 'Not started yet: QEMU was launched with -S and waits for cont.',
  'finish-migrate': 'Finishing an outgoing migration.',
  'restore-vm': 'Restoring a saved VM state.',
  running: 'Running.',
  'save-vm': 'Saving the VM state.',
  shutdown: 'The guest has shut down; QEMU stays up (-no-shutdown) until reset or quit.',
  suspended: 'Suspended by the guest (ACPI S3); waiting for a wakeup.',
  watchdog: 'Paused by the watchdog timer.',
  'guest-panicked': 'The guest kernel panicked.',
  colo: 'Running in COLO fault-tolerance mode.',
};

/** A sentence explaining a run state; a generic one for states this build does not know. */
export function describeRunState(status: string): string {
  return Object.hasOwn(RUN_STATE_REASONS, status)
    ? RUN_STATE_REASONS[status as RunState]
    : `QEMU reports the state "${status}".`;
}

/**
 * Run states QEMU entered because something failed (a disk error with rerror/werror=stop, a panic, the
 * watchdog, KVM): `cont` resumes into the same fault unless it was fixed, so the console asks first.
 */
const FAULT_STATES: ReadonlySet<string> = new Set([
  'io-error',
  'guest-panicked',
  'internal-error',
  'watchdog',
]);

export function resumesIntoKnownFault(status: string | undefined): boolean {
  return status !== undefined && FAULT_STATES.has(status);
}
