// QEMU's enums in plain words: what it does about an error, why a VM shut down or reset, which disk.

/** What QEMU does about a block I/O error (BlockErrorAction). */
export function blockActionText(action: string | null): string {
  switch (action) {
    case 'stop':
      return 'VM stopped';
    case 'report':
      return 'reported to the guest';
    case 'ignore':
      return 'ignored';
    default:
      return action ?? 'no action given';
  }
}

/** What QEMU did after a guest panic or a watchdog expiry (GuestPanicAction, WatchdogAction). */
export function vmActionText(action: string | null): string {
  switch (action) {
    case 'pause':
      return 'VM paused';
    case 'poweroff':
      return 'VM powered off';
    case 'shutdown':
      return 'VM shut down';
    case 'reset':
      return 'VM reset';
    case 'run':
    case 'none':
      return 'VM kept running';
    case 'debug':
      return 'QEMU printed a debug message';
    case 'inject-nmi':
      return 'NMI injected into the guest';
    default:
      return action ?? 'no action given';
  }
}

/** `bad0`, `bad0 (node #block163)`, or the node alone when QEMU gave no device name. */
export function diskLabel(device: string | null, node: string | null): string {
  if (device && node) return `${device} (node ${node})`;
  return device ?? (node ? `node ${node}` : 'unnamed disk');
}

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

/** A size in QEMU's binary units. */
export function bytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/**
 * Why a disk whose io-status is failed/nospace can show 0 failed operations: with rerror/werror=stop
 * QEMU stops the VM and keeps the request to retry on `cont`, so query-blockstats never counts it failed.
 */
export const STOPPED_REQUEST_NOT_COUNTED =
  'Not counted as failed: with rerror/werror=stop QEMU stops the VM and retries the request on resume.';
