// Numbers and times as an operator reads them.

// Sizes are shared with other features' progress and rates.
export { formatBytes } from '../ui/units.ts';

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
