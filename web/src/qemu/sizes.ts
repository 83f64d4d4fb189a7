// QEMU's size syntax (qemu_strtosz): a byte count, or a number with K, M, G, T, P or E (binary units;
// a trailing B or iB is accepted as people write it).

const SHIFT: Record<string, number> = { '': 0, K: 10, M: 20, G: 30, T: 40, P: 50, E: 60 };

/** Bytes, or null when the text is not a size QEMU would take. */
export function parseSize(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([KMGTPE]?)(?:i?B)?\s*$/i.exec(text);
  if (!m) return null;
  const [, num = '', unit = ''] = m;
  const shift = SHIFT[unit.toUpperCase()];
  if (shift === undefined) return null;
  // A fraction only makes sense with a unit ("1.5G"); QEMU rounds down to whole bytes.
  if (shift === 0 && num.includes('.')) return null;
  const bytes = Math.floor(Number(num) * 2 ** shift);
  return Number.isSafeInteger(bytes) ? bytes : null;
}
