// A strict JSON reader (RFC 8259) that says where it failed, and flags integers that JavaScript cannot
// hold exactly (QMP sizes are 64-bit): `JSON.parse` gives neither.
import type { Json } from '../../../protocol/qmp.ts';

export class JsonTextError extends Error {
  override readonly name = 'JsonTextError';
  /** Offset of the offending character in the text. */
  readonly position: number;

  constructor(message: string, position: number) {
    super(message);
    this.position = position;
  }
}

export interface JsonTextResult {
  value: Json;
  /** Offsets of integers beyond ±2^53, which lose precision as JavaScript numbers. */
  imprecise: { start: number; end: number; text: string }[];
}

const WS = new Set([' ', '\t', '\n', '\r']);
/** JSON's one-character escapes (also qmp-shell's double-quoted strings). */
export const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

/** Parses `text` as one JSON value (surrounding whitespace allowed); throws `JsonTextError`. */
export function parseJsonText(text: string): JsonTextResult {
  let i = 0;
  const imprecise: JsonTextResult['imprecise'] = [];

  const where = (at: number) => (at >= text.length ? 'end of input' : `"${text[at]}"`);
  const fail = (message: string, at = i): never => {
    throw new JsonTextError(message, at);
  };
  const skipWs = () => {
    while (i < text.length && WS.has(text[i]!)) i++;
  };
  const expect = (ch: string) => {
    if (text[i] !== ch) fail(`expected "${ch}" but found ${where(i)}`);
    i++;
  };

  const str = (): string => {
    const start = i;
    i++; // opening quote
    let out = '';
    for (;;) {
      if (i >= text.length) fail('unterminated string', start);
      const c = text[i]!;
      if (c === '"') {
        i++;
        return out;
      }
      if (c === '\\') {
        const e = text[i + 1];
        if (e === undefined) fail('unterminated string', start);
        if (e === 'u') {
          const hex = text.slice(i + 2, i + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('bad \\u escape: expected four hex digits', i);
          out += String.fromCharCode(Number.parseInt(hex, 16));
          i += 6;
        } else {
          const mapped = ESCAPES[e as string];
          if (mapped === undefined) fail(`unknown escape "\\${e}" in string`, i);
          out += mapped;
          i += 2;
        }
        continue;
      }
      if (c < ' ') fail('control character in string (escape it)', i);
      out += c;
      i++;
    }
  };

  const num = (): number => {
    const start = i;
    const m = /^-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!m) return fail(`unexpected ${where(i)}`);
    i += m[0].length;
    const n = Number(m[0]);
    if (!m[1] && !m[2] && !Number.isSafeInteger(n)) imprecise.push({ start, end: i, text: m[0] });
    return n;
  };

  const word = <T extends Json>(w: string, v: T): T => {
    if (text.startsWith(w, i)) {
      i += w.length;
      return v;
    }
    return fail(`unexpected ${where(i)}`);
  };

  const value = (depth: number): Json => {
    if (depth > 200) fail('nested too deeply');
    skipWs();
    const c = text[i];
    switch (c) {
      case '{': {
        i++;
        const obj: { [key: string]: Json } = {};
        skipWs();
        if (text[i] === '}') {
          i++;
          return obj;
        }
        for (;;) {
          skipWs();
          if (text[i] !== '"') fail(`expected a member name in double quotes but found ${where(i)}`);
          const keyAt = i;
          const key = str();
          if (Object.hasOwn(obj, key)) fail(`duplicate member "${key}"`, keyAt);
          skipWs();
          expect(':');
          obj[key] = value(depth + 1);
          skipWs();
          if (text[i] === ',') {
            i++;
            continue;
          }
          if (text[i] === '}') {
            i++;
            return obj;
          }
          fail(`expected "," or "}" but found ${where(i)}`);
        }
      }
      case '[': {
        i++;
        const arr: Json[] = [];
        skipWs();
        if (text[i] === ']') {
          i++;
          return arr;
        }
        for (;;) {
          arr.push(value(depth + 1));
          skipWs();
          if (text[i] === ',') {
            i++;
            continue;
          }
          if (text[i] === ']') {
            i++;
            return arr;
          }
          fail(`expected "," or "]" but found ${where(i)}`);
        }
      }
      case '"':
        return str();
      case 't':
        return word('true', true);
      case 'f':
        return word('false', false);
      case 'n':
        return word('null', null);
      default:
        return num();
    }
  };

  const result = value(0);
  skipWs();
  if (i < text.length) fail(`unexpected ${where(i)} after the JSON value`);
  return { value: result, imprecise };
}
