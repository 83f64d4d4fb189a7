// Values and schema types in words, and the nearest name to a typo: what the schema's messages say.
import type { Json, JsonObject } from '../../../protocol/qmp.ts';
import type { ArgPath } from './qmp-shell-syntax.ts';
import type { JsonType, SchemaType, Suggestion } from './schema-types.ts';

export function formatPath(path: ArgPath): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${p}` : p;
  return out;
}

export const isObject = (v: Json | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The JSON type of a value, as the schema names them (`int` for whole numbers). */
export function jsonTypeOf(v: Json): Exclude<JsonType, 'value'> {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'number':
      return Number.isInteger(v) ? 'int' : 'number';
    default:
      return 'object';
  }
}

export function describeValue(v: Json): string {
  const t = jsonTypeOf(v);
  const text = JSON.stringify(v);
  const shown = text.length > 40 ? `${text.slice(0, 37)}…` : text;
  switch (t) {
    case 'string':
      return `the string ${shown}`;
    case 'int':
    case 'number':
      return `the number ${shown}`;
    case 'boolean':
      return shown;
    case 'null':
      return 'null';
    case 'array':
      return 'a list';
    default:
      return 'an object';
  }
}

export function listWords(words: readonly string[], max = 8): string {
  const shown = words.slice(0, max).join(', ');
  return words.length > max ? `${shown}, … (${words.length} in all)` : shown;
}

/** Levenshtein distance, for "did you mean". */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/** The closest of `options` to `word`, if close enough to be a likely typo. */
export function closest(word: string, options: Iterable<string>): string | null {
  let best: string | null = null;
  let bestD = Number.POSITIVE_INFINITY;
  for (const o of options) {
    // Ties go to the option closest in length (qcow3 → qcow2 rather than qcow).
    const d = distance(word.toLowerCase(), o.toLowerCase()) + Math.abs(o.length - word.length) / 100;
    if (d < bestD) {
      bestD = d;
      best = o;
    }
  }
  return best !== null && bestD < Math.max(2, Math.floor(word.length / 3)) + 1 ? best : null;
}

/** The option `word` was probably meant to be, as a fix the composer can apply. */
export function suggestFix(
  word: string,
  options: Iterable<string>,
  part: Suggestion['part'],
): Suggestion | undefined {
  const c = closest(word, options);
  return c === null ? undefined : { part, word, replacement: c };
}

/** The sentence that ends an issue's message when it has a suggestion. */
export const didYouMeanSentence = (s: Suggestion | undefined) =>
  s ? ` Did you mean "${s.replacement}"?` : '';

// --- the schema -----------------------------------------------------------------------------------

export const BUILTIN_WORDS: Readonly<Record<JsonType, string>> = {
  string: 'string',
  int: 'integer',
  number: 'number',
  boolean: 'boolean',
  null: 'null',
  object: 'object',
  array: 'list',
  value: 'any JSON value',
};

export function shortType(type: SchemaType): string {
  switch (type.kind) {
    case 'builtin':
      return BUILTIN_WORDS[type.jsonType];
    case 'enum':
      return type.values.length <= 3 ? type.values.join('|') : `enum (${type.values.length})`;
    case 'array':
      return `[${shortType(type.element)}]`;
    case 'object':
      return type.tag ? `object by ${type.tag}` : 'object';
    case 'alternate':
      return type.alternatives.map(shortType).join(' or ');
  }
}

/** Members of an object, plus those of the variant its tag value selects in `value`. */
