// Numbers as an operator reads them (times: ui/time-format.ts).

// Sizes are shared with other features' progress and rates.
export { formatBytes } from '../ui/units.ts';

const COUNT = new Intl.NumberFormat('en-US');

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return COUNT.format(n);
}

/** Two hex digits, four hex digits: PCI addresses and ids as lspci prints them. */
export function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, '0');
}
