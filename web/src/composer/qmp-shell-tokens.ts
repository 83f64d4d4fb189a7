import { ESCAPES } from './json-text.ts';
import type { SyntaxIssue } from './qmp-shell-syntax.ts';

// --- tokens ---------------------------------------------------------------------------------------

export interface KeyPart {
  text: string;
  start: number;
  end: number;
}

/** One whitespace-separated word, with quotes and escapes resolved. */
export interface Word {
  kind: 'word';
  start: number;
  end: number;
  /** The word without quotes and escapes (keys and value glued, as the shell would). */
  text: string;
  /** Offset of the first unquoted `=`, or -1. */
  eq: number;
  /** Before `=` (or the whole word without one), split at unquoted dots. */
  keyParts: KeyPart[];
  /** After `=`. */
  value: WordValue | null;
  /** An unterminated quote or bracket (the word runs to the end of the text). */
  open: OpenConstruct | null;
}

export interface WordValue {
  start: number;
  end: number;
  /** Unquoted, unescaped text. */
  text: string;
  /** The text as written. */
  raw: string;
  /** Quotes or escapes were used: the value is a string, whatever it looks like. */
  quoted: boolean;
  /** Starts with `{` or `[`: JSON. */
  json: boolean;
}

export interface OpenConstruct {
  kind: '"' | "'" | '[' | '{';
  start: number;
}

export interface Punct {
  /** `\n` only between words: inside a transaction a new line starts a new action (as in qmp-shell). */
  kind: '(' | ')' | ',' | '\n';
  start: number;
  end: number;
}

export type Token = Word | Punct;

export interface Tokenized {
  tokens: Token[];
  /** The first unterminated quote or bracket or bad escape; tokens are still given (for completion). */
  error: SyntaxIssue | null;
}

const isSpace = (c: string) => /\s/.test(c);
const PUNCT = new Set(['(', ')', ',']);

/**
 * Splits `text` into words (and, with `punctuation`, the transaction syntax's `(`, `)`, `,` and line
 * breaks outside quotes and JSON). `offset` is added to every position.
 */
export function tokenize(text: string, { punctuation = false, offset = 0 } = {}): Tokenized {
  const tokens: Token[] = [];
  let error: SyntaxIssue | null = null;
  const setError = (message: string, start: number, end: number) => {
    error ??= { message, start: start + offset, end: end + offset };
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (isSpace(c)) {
      if (punctuation && c === '\n') tokens.push({ kind: '\n', start: i + offset, end: i + 1 + offset });
      i++;
      continue;
    }
    if (punctuation && PUNCT.has(c)) {
      tokens.push({ kind: c as Punct['kind'], start: i + offset, end: i + 1 + offset });
      i++;
      continue;
    }
    const start = i;
    let eq = -1;
    let out = '';
    const keyParts: KeyPart[] = [];
    let part = '';
    let partStart = i;
    let value: WordValue | null = null;
    let open: OpenConstruct | null = null;
    let valueText = '';
    let valueQuoted = false;
    const inKey = () => eq < 0;
    const append = (s: string) => {
      out += s;
      if (inKey()) part += s;
      else valueText += s;
    };
    while (i < n) {
      const ch = text[i]!;
      if (isSpace(ch) || (punctuation && PUNCT.has(ch))) break;
      if (ch === '"' || ch === "'") {
        const qStart = i;
        i++;
        let s = '';
        let closed = false;
        while (i < n) {
          const q = text[i]!;
          if (q === ch) {
            closed = true;
            i++;
            break;
          }
          if (q === '\\' && i + 1 < n) {
            const e = text[i + 1]!;
            if (ch === '"') {
              if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
                s += String.fromCharCode(Number.parseInt(text.slice(i + 2, i + 6), 16));
                i += 6;
                continue;
              }
              const mapped = ESCAPES[e];
              if (mapped === undefined) {
                setError(`Unknown escape "\\${e}" in a "…" string (write \\\\ for a backslash)`, i, i + 2);
                s += e;
              } else s += mapped;
              i += 2;
              continue;
            }
            if (e === "'" || e === '\\') {
              s += e;
              i += 2;
              continue;
            }
          }
          s += q;
          i++;
        }
        if (!closed) {
          open = { kind: ch, start: qStart + offset };
          setError(`Unterminated ${ch} quote`, qStart, n);
        }
        append(s);
        if (!inKey()) valueQuoted = true;
        continue;
      }
      if (ch === '\\') {
        if (i + 1 < n) {
          append(text[i + 1]!);
          i += 2;
        } else {
          append('\\');
          i++;
        }
        if (!inKey()) valueQuoted = true;
        continue;
      }
      if (ch === '=' && inKey()) {
        keyParts.push({ text: part, start: partStart + offset, end: i + offset });
        eq = i + offset;
        out += ch;
        i++;
        const vStart = i;
        if (text[i] === '{' || text[i] === '[') {
          const end = scanJsonExtent(text, i);
          if (end.open) {
            open = { kind: text[vStart] as '{' | '[', start: vStart + offset };
            setError(`Unclosed ${text[vStart]} in the value`, vStart, n);
          }
          valueText = text.slice(vStart, end.end);
          out += valueText;
          i = end.end;
        }
        // The rest of the word (normally nothing after a JSON value) is read by the loop.
        value = {
          start: vStart + offset,
          end: vStart + offset,
          text: '',
          raw: '',
          quoted: false,
          json: false,
        };
        continue;
      }
      if (ch === '.' && inKey()) {
        keyParts.push({ text: part, start: partStart + offset, end: i + offset });
        part = '';
        partStart = i + 1;
        out += ch;
        i++;
        continue;
      }
      append(ch);
      i++;
    }
    if (inKey()) keyParts.push({ text: part, start: partStart + offset, end: i + offset });
    if (value) {
      const vStartLocal = value.start - offset;
      value = {
        start: value.start,
        end: i + offset,
        text: valueText,
        raw: text.slice(vStartLocal, i),
        quoted: valueQuoted,
        json: text[vStartLocal] === '{' || text[vStartLocal] === '[',
      };
    }
    tokens.push({
      kind: 'word',
      start: start + offset,
      end: i + offset,
      text: out,
      eq,
      keyParts,
      value,
      open,
    });
  }
  return { tokens, error };
}

/** From an opening `{`/`[` at `i`: where the balanced JSON ends (JSON strings respected). */
function scanJsonExtent(text: string, i: number): { end: number; open: boolean } {
  let depth = 0;
  let inString = false;
  for (let j = i; j < text.length; j++) {
    const c = text[j]!;
    if (inString) {
      if (c === '\\') j++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) return { end: j + 1, open: false };
    }
  }
  return { end: text.length, open: true };
}

// --- parsing --------------------------------------------------------------------------------------
