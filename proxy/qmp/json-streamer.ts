// Client input read as QEMU 7.2's JSON streamer reads a monitor's bytes (qobject/json-lexer.c,
// json-streamer.c, json-parser.c): a message ends where its braces and brackets balance outside strings,
// not at a newline, so `qemu.qmp` (which writes no newline) and several objects on one line both work.
// Errors carry QEMU's own words; what QEMU's lexer or nesting limit rejects is answered and forgotten,
// and the bytes after it are read as new input, exactly as QEMU reads them.
import type { Json } from '../../protocol/qmp.ts';
import { toQemuJson } from './qemu-json.ts';

/**
 * The request's `id` and `arguments` as the client wrote them, present only when a number in them
 * would not survive as a JS number (`18446744073709551615`, `1.0`, `-0`, `1e3`): the id is echoed and
 * the arguments forwarded from this text, so neither is rounded nor retyped on the way.
 */
export interface ExactTexts {
  /** In QEMU's reply style (`", "`, `": "`). */
  id?: string;
  /** Compact, as the proxy writes to QEMU. */
  arguments?: string;
}

/** One message as QEMU's parser ends it: a value, or why QEMU would refuse it (a reply without id). */
export type JsonInput =
  | { ok: true; value: Json; bytes: number; exact?: ExactTexts }
  | { ok: false; desc: string };

/** json-streamer.c: MAX_NESTING and MAX_TOKEN_COUNT; past either QEMU answers and resets. */
const MAX_NESTING = 1024;
const MAX_TOKEN_COUNT = 2 * 1024 * 1024;

enum T {
  LCurly,
  RCurly,
  LSquare,
  RSquare,
  Colon,
  Comma,
  String,
  Number,
  Keyword,
}

enum S {
  Start,
  Recovery,
  DqString,
  DqEscape,
  SqString,
  SqEscape,
  Zero,
  Negative,
  NonZero,
  Mantissa,
  MantissaDigits,
  ExpE,
  ExpSign,
  ExpDigits,
  Keyword,
}

interface Token {
  type: T;
  bytes: Buffer;
}

const isDigit = (b: number): boolean => b >= 0x30 && b <= 0x39;
const isLower = (b: number): boolean => b >= 0x61 && b <= 0x7a;
/** Bytes QEMU's lexer takes inside a string: no control characters, no 0xFE/0xFF. */
const inString = (b: number): boolean => b >= 0x20 && b <= 0xfd;
const structural: Record<number, T> = {
  123: T.LCurly,
  125: T.RCurly,
  91: T.LSquare,
  93: T.RSquare,
  58: T.Colon,
  44: T.Comma,
};

export interface StreamerOptions {
  /** Default 16 MiB. */
  maxMessageBytes?: number;
  /**
   * The input is one message whatever it holds (a WebSocket frame): strings QEMU would refuse are left
   * to the request checks, which can still answer with the request's id.
   */
  wholeMessage?: boolean;
}

/**
 * Splits a byte stream into QMP messages. `maxMessageBytes` bounds what one message may hold: a longer one
 * is read to its end without being kept and answered once, as input too large.
 */
export class JsonStreamer {
  private state = S.Start;
  private tokens: Token[] = [];
  private braces = 0;
  private brackets = 0;
  /** The token being read: earlier chunks' parts, and where it starts in the current chunk. */
  private parts: Buffer[] = [];
  private tokenStart = -1;
  private messageBytes = 0;
  private discarding = false;

  private readonly maxMessageBytes: number;
  private stopped = false;
  private readonly strictUnicode: boolean;

  constructor(
    private readonly emit: (input: JsonInput) => void,
    options: StreamerOptions = {},
  ) {
    this.maxMessageBytes = options.maxMessageBytes ?? 16 * 1024 * 1024;
    this.strictUnicode = !options.wholeMessage;
  }

  /** Reads no further: the caller has seen all it needs. */
  stop(): void {
    this.stopped = true;
  }

  push(chunk: Buffer): void {
    if (this.stopped) return;
    this.tokenStart = this.state === S.Start || this.state === S.Recovery ? -1 : 0;
    for (let i = 0; i < chunk.length; i++) {
      if (this.state === S.DqString || this.state === S.SqString) i = this.skipPlain(chunk, i);
      if (i >= chunk.length || this.stopped) break;
      const b = chunk[i]!;
      if (this.state !== S.Start && this.state !== S.Recovery) this.countByte();
      this.step(chunk, i, b);
    }
    if (this.tokenStart >= 0 && !this.discarding) this.parts.push(chunk.subarray(this.tokenStart));
    this.tokenStart = -1;
  }

  /** End of input: a number or keyword still open ends here, and what is left is parsed as QEMU does at EOF. */
  end(): void {
    if (this.stopped) return;
    const terminal = this.pendingTerminal();
    if (terminal !== null) this.token(terminal, Buffer.alloc(0), 0);
    else if (this.state !== S.Start && this.state !== S.Recovery) this.lexError(Buffer.alloc(0), 0);
    this.state = S.Start;
    if (this.tokens.length > 0 || this.discarding) this.finish();
  }

  /** The bulk of a string needs no state change: skip it in one go, counting its bytes. */
  private skipPlain(chunk: Buffer, from: number): number {
    const quote = this.state === S.DqString ? 0x22 : 0x27;
    let i = from;
    while (i < chunk.length) {
      const b = chunk[i]!;
      if (b === quote || b === 0x5c || !inString(b)) break;
      i++;
    }
    if (i > from) this.countBytes(i - from);
    return i;
  }

  private step(chunk: Buffer, i: number, b: number): void {
    switch (this.state) {
      case S.Recovery:
        // Skip to a structural character or a control character, where QEMU starts reading afresh.
        if ((b < 0x20 && b !== 0x09) || b >= 0xfe || b === 0x5b || b === 0x5d || b === 0x7b || b === 0x7d) {
          this.state = S.Start;
          this.step(chunk, i, b);
        }
        return;
      case S.Start: {
        if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) return;
        this.tokenStart = i;
        this.countByte();
        const type = structural[b];
        if (type !== undefined) {
          this.token(type, chunk, i + 1);
          return;
        }
        if (b === 0x22) this.state = S.DqString;
        else if (b === 0x27) this.state = S.SqString;
        else if (b === 0x30) this.state = S.Zero;
        else if (b === 0x2d) this.state = S.Negative;
        else if (isDigit(b)) this.state = S.NonZero;
        else if (isLower(b)) this.state = S.Keyword;
        else this.lexError(chunk, i + 1);
        return;
      }
      case S.DqString:
      case S.SqString:
        if (b === 0x5c) this.state = this.state === S.DqString ? S.DqEscape : S.SqEscape;
        else if (b === (this.state === S.DqString ? 0x22 : 0x27)) this.token(T.String, chunk, i + 1);
        else if (!inString(b)) this.lexError(chunk, i + 1);
        return;
      case S.DqEscape:
      case S.SqEscape:
        // The lexer takes any character after a backslash; the parser judges the escape.
        if (inString(b)) this.state = this.state === S.DqEscape ? S.DqString : S.SqString;
        else this.lexError(chunk, i + 1);
        return;
      case S.Negative:
        if (b === 0x30) this.state = S.Zero;
        else if (isDigit(b)) this.state = S.NonZero;
        else this.lexError(chunk, i + 1);
        return;
      case S.Mantissa:
        if (isDigit(b)) this.state = S.MantissaDigits;
        else this.lexError(chunk, i + 1);
        return;
      case S.ExpE:
        if (isDigit(b)) this.state = S.ExpDigits;
        else if (b === 0x2b || b === 0x2d) this.state = S.ExpSign;
        else this.lexError(chunk, i + 1);
        return;
      case S.ExpSign:
        if (isDigit(b)) this.state = S.ExpDigits;
        else this.lexError(chunk, i + 1);
        return;
      case S.Zero:
        if (isDigit(b)) {
          this.lexError(chunk, i + 1);
          return;
        }
        if (b === 0x2e) this.state = S.Mantissa;
        else if (b === 0x65 || b === 0x45) this.state = S.ExpE;
        else this.lookahead(T.Number, chunk, i, b);
        return;
      case S.NonZero:
        if (isDigit(b)) return;
        if (b === 0x2e) this.state = S.Mantissa;
        else if (b === 0x65 || b === 0x45) this.state = S.ExpE;
        else this.lookahead(T.Number, chunk, i, b);
        return;
      case S.MantissaDigits:
        if (isDigit(b)) return;
        if (b === 0x65 || b === 0x45) this.state = S.ExpE;
        else this.lookahead(T.Number, chunk, i, b);
        return;
      case S.ExpDigits:
        if (!isDigit(b)) this.lookahead(T.Number, chunk, i, b);
        return;
      case S.Keyword:
        if (!isLower(b)) this.lookahead(T.Keyword, chunk, i, b);
        return;
    }
  }

  /** A number or keyword ends at the first byte that cannot continue it; that byte starts what follows. */
  private lookahead(type: T, chunk: Buffer, i: number, b: number): void {
    this.uncountByte();
    this.token(type, chunk, i);
    this.step(chunk, i, b);
  }

  private pendingTerminal(): T | null {
    if (this.state === S.Keyword) return T.Keyword;
    if (
      this.state === S.Zero ||
      this.state === S.NonZero ||
      this.state === S.MantissaDigits ||
      this.state === S.ExpDigits
    )
      return T.Number;
    return null;
  }

  private takeTokenBytes(chunk: Buffer, end: number): Buffer {
    const tail = chunk.subarray(Math.max(this.tokenStart, 0), end);
    const bytes = this.parts.length === 0 ? tail : Buffer.concat([...this.parts, tail]);
    this.parts = [];
    this.tokenStart = -1;
    this.state = S.Start;
    return bytes;
  }

  private token(type: T, chunk: Buffer, end: number): void {
    const bytes = this.discarding ? Buffer.alloc(0) : this.takeTokenBytes(chunk, end);
    this.state = S.Start;
    this.tokenStart = -1;
    if (type === T.LCurly) this.braces++;
    else if (type === T.RCurly) this.braces--;
    else if (type === T.LSquare) this.brackets++;
    else if (type === T.RSquare) this.brackets--;
    if (this.braces + this.brackets > MAX_NESTING) {
      this.fail('JSON nesting depth limit exceeded');
      return;
    }
    if (this.tokens.length + 1 > MAX_TOKEN_COUNT) {
      this.fail('JSON token count limit exceeded');
      return;
    }
    if (!this.discarding) this.tokens.push({ type, bytes });
    if ((this.braces > 0 || this.brackets > 0) && this.braces >= 0 && this.brackets >= 0) return;
    this.finish();
  }

  /** A byte QEMU's lexer cannot take here: "stray" and the token so far, then skip to a resync point. */
  private lexError(chunk: Buffer, end: number): void {
    const bytes = this.discarding ? Buffer.alloc(0) : this.takeTokenBytes(chunk, end);
    this.tokenStart = -1;
    this.fail(`JSON parse error, stray '${cString(bytes)}'`);
    this.state = S.Recovery;
  }

  private fail(desc: string): void {
    const discarded = this.discarding;
    const bytes = this.messageBytes;
    this.reset();
    this.emit({ ok: false, desc: discarded ? tooLarge(bytes) : desc });
  }

  private finish(): void {
    if (this.discarding) {
      this.fail('');
      return;
    }
    const tokens = this.tokens;
    const bytes = this.messageBytes;
    this.reset();
    this.emit(parseTokens(tokens, bytes, this.strictUnicode));
  }

  private reset(): void {
    this.tokens = [];
    this.braces = 0;
    this.brackets = 0;
    this.messageBytes = 0;
    this.discarding = false;
    this.parts = [];
  }

  private countByte(): void {
    this.countBytes(1);
  }

  private countBytes(n: number): void {
    this.messageBytes += n;
    if (this.messageBytes > this.maxMessageBytes && !this.discarding) {
      // Too big to keep: read on to where the message ends, holding nothing, and answer once.
      this.discarding = true;
      this.tokens = [];
      this.parts = [];
    }
  }

  private uncountByte(): void {
    this.messageBytes--;
  }
}

const tooLarge = (bytes: number): string => `JSON parse error, input of ${bytes} bytes is too large`;

/** QEMU prints the bad token as a C string: it stops at a NUL byte. */
function cString(bytes: Buffer): string {
  const nul = bytes.indexOf(0);
  return (nul >= 0 ? bytes.subarray(0, nul) : bytes).toString('utf8');
}

/**
 * One whole text as one message (a WebSocket frame): exactly one value in it. Strict JSON, the usual
 * case, is read by V8 at any depth (the request checks refuse what QEMU could not take, keeping the id);
 * anything else is read as QEMU reads it, for QEMU's extensions and QEMU's own error texts.
 */
export function parseJsonMessage(text: string): JsonInput {
  let value: Json;
  try {
    value = JSON.parse(text) as Json;
  } catch {
    // Not strict JSON: QEMU's reading says what QEMU would.
    return parseAsQemu(text);
  }
  if (!maybeInexactNumber.test(text)) return { ok: true, value, bytes: text.length };
  // A number V8 would round or retype may be in it: QEMU's reading keeps its text. Its value is the
  // one the policy then checks, so what is checked is what the forwarded text says.
  const qemu = parseAsQemu(text);
  return qemu.ok && qemu.exact ? { ...qemu, bytes: text.length } : { ok: true, value, bytes: text.length };
}

/** Cheap first look for a number that is not its own shortest JS text: 16+ digits, a fraction, an exponent, -0. */
const maybeInexactNumber = /\d{16}|\d[.eE]|-0/;

function parseAsQemu(text: string): JsonInput {
  const inputs: JsonInput[] = [];
  const streamer = new JsonStreamer(
    (input) => {
      inputs.push(input);
      if (inputs.length > 1) streamer.stop();
    },
    { maxMessageBytes: Number.POSITIVE_INFINITY, wholeMessage: true },
  );
  streamer.push(Buffer.from(text));
  streamer.end();
  const first = inputs[0];
  if (!first) return { ok: false, desc: 'JSON parse error, expecting value' };
  if (inputs.length > 1 && first.ok)
    return { ok: false, desc: 'JSON parse error, more than one JSON value in one message' };
  return first;
}

// json-parser.c, with its first error kept (as QEMU 7.2 keeps it).
class ParseError extends Error {}

function parseTokens(tokens: Token[], bytes: number, strictUnicode: boolean): JsonInput {
  const parser = new TokenParser(tokens, strictUnicode);
  try {
    const value = parser.value();
    const spans = parser.inexactMembers;
    if (spans.size === 0) return { ok: true, value, bytes };
    const exact: ExactTexts = {};
    const id = spans.get('id');
    if (id) exact.id = tokensText(tokens, id, strictUnicode, false);
    const args = spans.get('arguments');
    if (args) exact.arguments = tokensText(tokens, args, strictUnicode, true);
    return { ok: true, value, bytes, exact };
  } catch (err) {
    if (err instanceof ParseError) return { ok: false, desc: `JSON parse error, ${err.message}` };
    throw err;
  }
}

/** Tokens `[from, to)` as JSON text: numbers and keywords as written, strings quoted again. */
function tokensText(
  tokens: Token[],
  [from, to]: [number, number],
  strictUnicode: boolean,
  compact: boolean,
): string {
  let out = '';
  for (let i = from; i < to; i++) {
    const t = tokens[i]!;
    if (t.type === T.String) {
      const s = parseString(t.bytes, strictUnicode);
      out += compact ? JSON.stringify(s) : toQemuJson(s);
    } else if (t.type === T.Colon) out += compact ? ':' : ': ';
    else if (t.type === T.Comma) out += compact ? ',' : ', ';
    else out += t.bytes.toString('latin1');
  }
  return out;
}

class TokenParser {
  private at = 0;
  private depth = 0;
  /** Numbers read so far whose JS value does not print as their text. */
  private inexact = 0;
  /** Top-level `id` and `arguments` members holding such a number: their token ranges. */
  readonly inexactMembers = new Map<string, [number, number]>();
  constructor(
    private readonly tokens: Token[],
    private readonly strictUnicode: boolean,
  ) {}

  value(): Json {
    const token = this.tokens[this.at];
    if (!token) throw new ParseError('premature EOI');
    switch (token.type) {
      case T.LCurly:
        return this.object();
      case T.LSquare:
        return this.array();
      case T.String:
        this.at++;
        return parseString(token.bytes, this.strictUnicode);
      case T.Number: {
        this.at++;
        const text = token.bytes.toString('latin1');
        const n = Number(text);
        if (String(n) !== text) this.inexact++;
        return n;
      }
      case T.Keyword: {
        this.at++;
        const word = token.bytes.toString('latin1');
        if (word === 'true') return true;
        if (word === 'false') return false;
        if (word === 'null') return null;
        throw new ParseError(`invalid keyword '${word}'`);
      }
      default:
        throw new ParseError('expecting value');
    }
  }

  private next(): Token {
    const token = this.tokens[this.at++];
    if (!token) throw new ParseError('premature EOI');
    return token;
  }

  private object(): Json {
    this.at++;
    this.depth++;
    try {
      return this.members();
    } finally {
      this.depth--;
    }
  }

  private members(): Json {
    const dict: { [key: string]: Json } = {};
    if (!this.tokens[this.at]) throw new ParseError('premature EOI');
    if (this.tokens[this.at]!.type === T.RCurly) {
      this.at++;
      return dict;
    }
    for (;;) {
      const key = this.value();
      if (typeof key !== 'string') throw new ParseError('key is not a string in object');
      if (this.next().type !== T.Colon) throw new ParseError('missing : in object pair');
      const from = this.at;
      const inexactBefore = this.inexact;
      const value = this.value();
      if (this.depth === 1 && (key === 'id' || key === 'arguments') && this.inexact > inexactBefore)
        this.inexactMembers.set(key, [from, this.at]);
      if (Object.hasOwn(dict, key)) throw new ParseError('duplicate key');
      // A plain assignment to `__proto__` would set the prototype instead of a member.
      Object.defineProperty(dict, key, { value, enumerable: true, writable: true, configurable: true });
      const sep = this.next().type;
      if (sep === T.RCurly) return dict;
      if (sep !== T.Comma) throw new ParseError('expected separator in dict');
    }
  }

  private array(): Json {
    this.at++;
    const list: Json[] = [];
    if (!this.tokens[this.at]) throw new ParseError('premature EOI');
    if (this.tokens[this.at]!.type === T.RSquare) {
      this.at++;
      return list;
    }
    for (;;) {
      list.push(this.value());
      const sep = this.next().type;
      if (sep === T.RSquare) return list;
      if (sep !== T.Comma) throw new ParseError('expected separator in list');
    }
  }
}

const escapes: Record<number, string> = {
  34: '"',
  39: "'",
  92: '\\',
  47: '/',
  98: '\b',
  102: '\f',
  110: '\n',
  114: '\r',
  116: '\t',
};

/** util/unicode.c: surrogates, noncharacters and anything past U+10FFFF are not characters to QEMU. */
const validCodePoint = (cp: number): boolean =>
  cp >= 0 &&
  cp <= 0x10ffff &&
  !(cp >= 0xd800 && cp <= 0xdfff) &&
  !(cp >= 0xfdd0 && cp <= 0xfdef) &&
  (cp & 0xfffe) !== 0xfffe;

function hex4(bytes: Buffer, at: number): number {
  const text = bytes.toString('latin1', at, at + 4);
  return /^[0-9a-fA-F]{4}$/.test(text) ? Number.parseInt(text, 16) : -1;
}

/** A string token (quotes included) to its value, with json-parser.c's errors. */
function parseString(bytes: Buffer, strictUnicode: boolean): string {
  let out = '';
  let i = 1;
  const end = bytes.length - 1;
  while (i < end) {
    const b = bytes[i]!;
    if (b === 0x5c) {
      const e = bytes[i + 1]!;
      if (e !== 0x75) {
        const ch = escapes[e];
        if (ch === undefined) throw new ParseError('invalid escape sequence in string');
        out += ch;
        i += 2;
        continue;
      }
      const start = i;
      const lead = hex4(bytes, i + 2);
      let cp = lead;
      i += 6;
      if (lead >= 0xd800 && lead <= 0xdbff && bytes[i] === 0x5c && bytes[i + 1] === 0x75) {
        const trailing = hex4(bytes, i + 2);
        if (trailing >= 0xdc00 && trailing <= 0xdfff) {
          cp = 0x10000 + ((lead & 0x3ff) << 10) + (trailing & 0x3ff);
          i += 6;
        } else if (strictUnicode) cp = -1;
      }
      if (!strictUnicode && cp >= 0 && cp <= 0xffff) {
        out += String.fromCharCode(cp);
        continue;
      }
      if (!validCodePoint(cp))
        throw new ParseError(
          `${bytes.toString('latin1', start, Math.min(i, end))} is not a valid Unicode character`,
        );
      out += String.fromCodePoint(cp);
      continue;
    }
    const [cp, length] = utf8CodePoint(bytes, i, end);
    if (cp < 0) throw new ParseError('invalid UTF-8 sequence in string');
    out += String.fromCodePoint(cp);
    i += length;
  }
  return out;
}

/** util/unicode.c mod_utf8_codepoint: shortest form only (but C0 80 for NUL), valid code points only. */
function utf8CodePoint(bytes: Buffer, at: number, end: number): [number, number] {
  const b0 = bytes[at]!;
  if (b0 < 0x80) return [b0, 1];
  const length = b0 >= 0xf0 && b0 < 0xf8 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc0 ? 2 : 0;
  if (length === 0 || b0 >= 0xf8 || at + length > end) return [-1, 1];
  let cp = b0 & (0x7f >> length);
  for (let k = 1; k < length; k++) {
    const b = bytes[at + k]!;
    if ((b & 0xc0) !== 0x80) return [-1, 1];
    cp = (cp << 6) | (b & 0x3f);
  }
  const shortest = length === 2 ? cp >= 0x80 || cp === 0 : length === 3 ? cp >= 0x800 : cp >= 0x10000;
  if (!shortest || !validCodePoint(cp)) return [-1, 1];
  return [cp, length];
}
