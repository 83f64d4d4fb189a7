// Input QEMU's own JSON parser would reject, found before the proxy forwards it.
//
// This is a smuggling defence, not politeness. QEMU's JSON streamer (qobject/json-streamer.c) gives
// up on a message that nests deeper than 1024, or holds more than 2 Mi tokens or 64 MiB of token
// text, then RESETS and parses the rest of the line as new input. So a harmless-looking
// `query-status` whose arguments nest 1023 arrays around `{"execute":"cont"}` makes QEMU run `cont`
// (seen on QEMU 7.2), past the viewer role and every `--deny` pattern. Strings QEMU's parser refuses
// (an unpaired surrogate, a Unicode noncharacter) are answered with an error that has no id, which
// would leave the client's command waiting forever. Node would also overflow its stack serialising
// a deeply nested value (a crash). All of it is refused here, in front of QEMU.
import type { Json } from '../../protocol/qmp.ts';

/** qobject/json-streamer.c: MAX_NESTING, MAX_TOKEN_COUNT, MAX_TOKEN_SIZE. */
export const QEMU_MAX_NESTING = 1024;
export const QEMU_MAX_TOKEN_COUNT = 2 * 1024 * 1024;
export const QEMU_MAX_TOKEN_BYTES = 64 * 1024 * 1024;
/** Room for what the proxy's own upstream line adds around the client's arguments. */
const MARGIN_TOKENS = 64;
const MARGIN_BYTES = 4096;

export interface JsonProblem {
  /** `id` when the problem is in the request's id (it cannot be echoed back then). */
  where: 'id' | 'request';
  desc: string;
}

// An unpaired surrogate or a noncharacter (U+FDD0..U+FDEF, U+xFFFE, U+xFFFF): util/unicode.c rejects both.
const badForQemu = /\p{Cs}|\p{Noncharacter_Code_Point}/u;
// A cheap first look: no surrogate and no BMP noncharacter means neither of the above.
const maybeBad = /[\uD800-\uDFFF\uFDD0-\uFDEF\uFFFE\uFFFF]/;
const isBad = (s: string): boolean => maybeBad.test(s) && badForQemu.test(s);

/**
 * True when the JSON text of a message cannot hold anything qemuInputProblem looks for: under 1024
 * characters nothing nests 1024 deep nor reaches the token limits, and without a surrogate, a
 * noncharacter or a `\u` escape (which could write one) no string is refused. A query-status frame
 * is checked by this look at its text, not by walking its value.
 */
export function surelyFitsQemu(text: string): boolean {
  return text.length < QEMU_MAX_NESTING && !maybeBad.test(text) && !text.includes('\\u');
}

/**
 * Returns what QEMU could not take in this parsed client request, or null. Depth counts the request
 * object itself as 1, as QEMU counts braces and brackets. Iterative: any depth is safe to inspect.
 */
export function qemuInputProblem(request: Record<string, Json>): JsonProblem | null {
  const idProblem = 'id' in request ? depthProblem(request.id as Json, 2) : null;
  if (idProblem) return { where: 'id', desc: idProblem };
  // What the proxy sends: {"execute":NAME,"arguments":ARGS,"id":N}. Measure NAME and ARGS.
  let tokens = 12;
  let bytes = 40;
  for (const key of ['execute', 'exec-oob', 'arguments'] as const) {
    if (!(key in request)) continue;
    const m = measure(request[key] as Json, 2);
    if (typeof m === 'string') return { where: 'request', desc: m };
    tokens += m.tokens;
    bytes += m.bytes;
  }
  if (bytes > QEMU_MAX_TOKEN_BYTES - MARGIN_BYTES) {
    // Strings were counted at their worst (6 bytes a character, as \u0000): count them exactly now.
    bytes = 40;
    for (const key of ['execute', 'exec-oob', 'arguments'] as const)
      if (key in request) bytes += (measure(request[key] as Json, 2, true) as { bytes: number }).bytes;
  }
  if (tokens > QEMU_MAX_TOKEN_COUNT - MARGIN_TOKENS)
    return {
      where: 'request',
      desc: `JSON parse error, more than QEMU's limit of ${QEMU_MAX_TOKEN_COUNT} tokens`,
    };
  if (bytes > QEMU_MAX_TOKEN_BYTES - MARGIN_BYTES)
    return {
      where: 'request',
      desc: `JSON parse error, more than QEMU's limit of ${QEMU_MAX_TOKEN_BYTES} bytes`,
    };
  return null;
}

const nestingDesc = 'JSON nesting depth limit exceeded';

function depthProblem(value: Json, startDepth: number): string | null {
  const stack: [Json, number][] = [[value, startDepth]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > QEMU_MAX_NESTING) return nestingDesc;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return null;
}

/** Tokens and token bytes as QEMU's lexer counts them in compact JSON, or why QEMU would refuse. */
function measure(value: Json, startDepth: number, exact = false): { tokens: number; bytes: number } | string {
  let tokens = 0;
  let bytes = 0;
  const stack: [Json, number][] = [[value, startDepth]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v === 'string') {
      if (isBad(v)) return stringDesc(v);
      tokens += 1;
      bytes += exact ? Buffer.byteLength(JSON.stringify(v)) : 6 * v.length + 2;
    } else if (typeof v !== 'object' || v === null) {
      tokens += 1;
      bytes += String(JSON.stringify(v)).length;
    } else {
      if (depth > QEMU_MAX_NESTING) return nestingDesc;
      // Brackets, then a comma between members; an object member adds its key and a colon.
      if (Array.isArray(v)) {
        tokens += 2 + Math.max(v.length - 1, 0);
        bytes += 2 + Math.max(v.length - 1, 0);
        for (const child of v) stack.push([child, depth + 1]);
      } else {
        const keys = Object.keys(v);
        tokens += 2 + Math.max(keys.length - 1, 0) + 2 * keys.length;
        bytes += 2 + Math.max(keys.length - 1, 0) + keys.length;
        for (const key of keys) {
          if (isBad(key)) return stringDesc(key);
          bytes += exact ? Buffer.byteLength(JSON.stringify(key)) : 6 * key.length + 2;
          stack.push([v[key]!, depth + 1]);
        }
      }
    }
    if (tokens > QEMU_MAX_TOKEN_COUNT || (exact && bytes > QEMU_MAX_TOKEN_BYTES)) break;
  }
  return { tokens, bytes };
}

function stringDesc(s: string): string {
  const m = badForQemu.exec(s)!;
  const cp = m[0].codePointAt(0)!;
  return `JSON parse error, \\u${cp.toString(16).padStart(4, '0')} is not a valid Unicode character`;
}
