// Numbers and times as an operator reads them.

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

const COUNT = new Intl.NumberFormat('en-US');

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return COUNT.format(n);
}

/** A time of day for "last refreshed" and similar. */
export function formatClock(ms: number): string {
  return new Date(ms).toLocaleTimeString();
}

/** Two hex digits, four hex digits: PCI addresses and ids as lspci prints them. */
export function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}
