// QEMU's event times: seconds and microseconds since the epoch, -1/-1 when QEMU's clock failed.
import { formatTime, type TimeZoneChoice } from '../ui/time-format.ts';

/** `2026-11-26 14:03:05.123456` in the chosen zone (stated once above the log); "clock failed" for -1/-1. */
export function formatQemuTime(seconds: number, microseconds: number, zone: TimeZoneChoice): string {
  if (seconds < 0) return 'time unknown (QEMU clock failed)';
  return formatTime(seconds * 1000, { zone, microseconds, withZone: false });
}

/** The ISO form of a QEMU timestamp, for `<time dateTime>`. */
export function qemuTimeIso(seconds: number, microseconds: number): string | undefined {
  if (seconds < 0) return undefined;
  return new Date(seconds * 1000 + Math.floor(microseconds / 1000)).toISOString();
}
