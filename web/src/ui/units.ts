// Sizes, rates and durations as an operator reads them (QEMU counts in binary units).

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** 134217728 → "128 MiB"; 1536 → "1.5 KiB"; exact below 1 KiB. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  let value = Math.abs(bytes);
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 || Number.isInteger(value) ? 0 : 1;
  return `${bytes < 0 ? '-' : ''}${value.toFixed(digits)} ${UNITS[unit]}`;
}

/** Bytes per second: "8 MiB/s". */
export function formatByteRate(bytesPerSecond: number): string {
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** 0 → "0 s", 75_000 → "1 min 15 s", 3_725_000 → "1 h 2 min": at most two units, rounded down. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  const h = Math.floor(m / 60);
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
}

/** A share as a whole percentage, never "100 %" before it is done: 0.999 → 99. */
export function percent(done: number, total: number): number {
  if (!(total > 0) || !Number.isFinite(done)) return 0;
  const share = Math.min(Math.max(done / total, 0), 1);
  return share < 1 ? Math.min(Math.floor(share * 100), 99) : 100;
}
