// JSON as QEMU's monitor writes it (qobject/qjson.c): `": "` and `", "` between members, and every
// character outside printable ASCII escaped as `\uXXXX`, so the console's own replies read as QEMU's.
import type { Json } from '../../protocol/qmp.ts';

export function toQemuJson(value: Json): string {
  if (value === null || typeof value !== 'object') {
    return typeof value === 'string' ? quote(value) : String(JSON.stringify(value));
  }
  if (Array.isArray(value)) return `[${value.map(toQemuJson).join(', ')}]`;
  return `{${Object.entries(value)
    .map(([k, v]) => `${quote(k)}: ${toQemuJson(v)}`)
    .join(', ')}}`;
}

const named: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** Quotes, backslashes, control characters and everything past ASCII. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: QEMU escapes control characters, so must we.
const escaped = /["\\\u0000-\u001f\u007f-\uffff]/g;

function quote(s: string): string {
  return `"${s.replace(escaped, (c) => named[c] ?? `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`)}"`;
}
