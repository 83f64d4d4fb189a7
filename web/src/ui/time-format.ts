// Times as people read them: local time, with QEMU's microseconds.

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `2026-11-26 14:03:05.123456` in local time; "clock failed" for QEMU's -1/-1. */
export function formatQemuTime(seconds: number, microseconds: number): string {
  if (seconds < 0) return 'time unknown (QEMU clock failed)';
  const d = new Date(seconds * 1000);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(
    d.getMinutes(),
  )}:${pad(d.getSeconds())}.${pad(microseconds, 6)}`;
}

/** The ISO form of a QEMU timestamp, for `<time dateTime>`. */
export function qemuTimeIso(seconds: number, microseconds: number): string | undefined {
  if (seconds < 0) return undefined;
  return new Date(seconds * 1000 + Math.floor(microseconds / 1000)).toISOString();
}

/** `2026-11-26 14:03:05` in local time, from an ISO string. */
export function formatLocal(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(
    d.getMinutes(),
  )}:${pad(d.getSeconds())}`;
}

/** `<input type="datetime-local">`'s value (local, to the second) for an ISO time, or ''. */
export function isoToLocalInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(
    d.getMinutes(),
  )}:${pad(d.getSeconds())}`;
}

/** An ISO time (UTC) for a datetime-local value, or null when empty or invalid. */
export function localInputToIso(value: string): string | null {
  if (!value) return null;
  const t = new Date(value).getTime();
  return Number.isNaN(t) ? null : new Date(t).toISOString().replace('.000Z', 'Z');
}
