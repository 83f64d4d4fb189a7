// What a person types, turned into a QMP command, and back. Three modes:
// - qmp-shell (QEMU's `scripts/qmp/qmp-shell`): `COMMAND [key=value ...]`, dotted keys for nested objects,
//   values that parse as JSON become JSON, the rest strings; `transaction(` then one action per line
//   (`type k=v ...`) and `)`, or on one line with commas: `transaction( action k=v, action k=v )`.
//   Unlike qmp-shell, quotes are removed (`id="a b"` is the string `a b`) and force a string (`id="1"`),
//   a JSON value may contain spaces (`keys=[{"type": "qcode", "data": "a"}]`), and a quoted key
//   segment keeps its dots (`"a.b"=1`). A line starting with `{` is read as JSON.
// - JSON: one whole `{"execute": ..., "arguments": ...}` object.
// - HMP: the line is the `command-line` of `human-monitor-command` (with an optional CPU index).
// Every error says where it is (offsets into the text).
import type { Json, JsonObject } from '../../../protocol/qmp.ts';
import { HMP_COMMAND } from '../qemu/commands.ts';
import { JsonTextError, parseJsonText } from './json-text.ts';
import { type KeyPart, type Token, tokenize, type Word, type WordValue } from './qmp-shell-tokens.ts';

export * from './qmp-shell-format.ts';
export * from './qmp-shell-tokens.ts';

export type ComposerMode = 'qmp-shell' | 'json' | 'hmp';

/** A command as the composer sends it (the client adds the id). */
export interface QmpRequest {
  execute: string;
  arguments?: JsonObject;
}

/** Something wrong (or worth a warning) in the text, at `[start, end)`. */
export interface SyntaxIssue {
  message: string;
  start: number;
  end: number;
}

/** A path into the arguments: member names and array indexes (`['actions', 0, 'data', 'device']`). */
export type ArgPath = readonly (string | number)[];

/** Where an argument was written, for pointing at it when the schema finds it wrong. */
export interface ArgumentLocation {
  path: ArgPath;
  keyStart: number;
  keyEnd: number;
  valueStart: number;
  valueEnd: number;
}

export type ParseResult =
  | { ok: true; request: QmpRequest; warnings: SyntaxIssue[]; locations: ArgumentLocation[] }
  | { ok: false; error: SyntaxIssue };

export interface ParseOptions {
  mode: ComposerMode;
  /** HMP mode: the CPU that `info registers` and friends talk about. */
  cpuIndex?: number | null;
}

export const TRANSACTION_COMMAND = 'transaction';

class ParseFailure extends Error {
  readonly issue: SyntaxIssue;
  constructor(issue: SyntaxIssue) {
    super(issue.message);
    this.issue = issue;
  }
}

function fail(message: string, start: number, end: number): never {
  throw new ParseFailure({ message, start, end });
}

export const TRANSACTION_START = /^(\s*)transaction\s*\(/;

/** Parses the composer's text in the given mode. */
export function parseInput(text: string, options: ParseOptions): ParseResult {
  try {
    if (options.mode === 'hmp') return parseHmp(text, options.cpuIndex ?? null);
    if (options.mode === 'json' || text.trimStart().startsWith('{')) return parseJsonCommand(text);
    return parseShell(text);
  } catch (err) {
    if (err instanceof ParseFailure) return { ok: false, error: err.issue };
    throw err;
  }
}

function parseHmp(text: string, cpuIndex: number | null): ParseResult {
  const line = text.trim();
  if (!line) fail('Type an HMP command, e.g. info status', 0, text.length);
  const args: JsonObject = { 'command-line': line };
  if (cpuIndex !== null) {
    if (!Number.isInteger(cpuIndex) || cpuIndex < 0) fail('The CPU index must be a whole number ≥ 0', 0, 0);
    args['cpu-index'] = cpuIndex;
  }
  return { ok: true, request: { execute: HMP_COMMAND, arguments: args }, warnings: [], locations: [] };
}

function parseJsonCommand(text: string): ParseResult {
  if (!text.trim()) fail('Type a JSON command, e.g. {"execute": "query-status"}', 0, text.length);
  let parsed: ReturnType<typeof parseJsonText>;
  try {
    parsed = parseJsonText(text);
  } catch (err) {
    if (err instanceof JsonTextError) {
      return fail(`Not valid JSON: ${err.message}`, err.position, Math.min(err.position + 1, text.length));
    }
    throw err;
  }
  const whole = { start: text.length - text.trimStart().length, end: text.trimEnd().length };
  const v = parsed.value;
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    fail('A QMP command is a JSON object: {"execute": "…", "arguments": {…}}', whole.start, whole.end);
  }
  const obj = v as JsonObject;
  const warnings: SyntaxIssue[] = parsed.imprecise.map((p) => impreciseWarning(p.text, p.start, p.end));
  for (const key of Object.keys(obj)) {
    if (key === 'execute' || key === 'arguments') continue;
    if (key === 'id') {
      warnings.push({ message: 'The console sets the id itself; yours is left out', ...whole });
      continue;
    }
    if (key === 'exec-oob') continue;
    fail(
      `Unknown member "${key}": a command has only "execute", "arguments" and "id"`,
      whole.start,
      whole.end,
    );
  }
  let execute = obj.execute;
  if (execute === undefined && typeof obj['exec-oob'] === 'string') {
    execute = obj['exec-oob'];
    warnings.push({ message: 'exec-oob is sent as an ordinary execute', ...whole });
  }
  if (typeof execute !== 'string' || !execute) {
    fail('"execute" must be the command name, a non-empty string', whole.start, whole.end);
  }
  const args = obj.arguments;
  if (args !== undefined && (args === null || typeof args !== 'object' || Array.isArray(args))) {
    fail('"arguments" must be an object', whole.start, whole.end);
  }
  const request: QmpRequest = { execute: execute as string };
  if (args !== undefined) request.arguments = args as JsonObject;
  return { ok: true, request, warnings, locations: [] };
}

function impreciseWarning(text: string, start: number, end: number): SyntaxIssue {
  return {
    message: `${text} is beyond ±2^53 and is sent rounded to ${Number(text)}`,
    start,
    end,
  };
}

function parseShell(text: string): ParseResult {
  const tx = TRANSACTION_START.exec(text);
  if (tx) return parseTransaction(text, tx[0].length);
  const { tokens, error } = tokenize(text);
  if (error) fail(error.message, error.start, error.end);
  const words = tokens as Word[];
  const first = words[0];
  if (!first) return fail('Type a command, e.g. query-status', 0, text.length);
  if (first.eq >= 0) fail(`Start with a command name, not "${first.text}"`, first.start, first.end);
  const builder = new ArgumentBuilder();
  for (const word of words.slice(1)) builder.add(word);
  const request: QmpRequest = { execute: first.text };
  if (Object.keys(builder.args).length > 0) request.arguments = builder.args;
  return { ok: true, request, warnings: builder.warnings, locations: builder.locations };
}

/**
 * qmp-shell's multi-line transaction: one action per line. A line that starts with key=value carries on
 * the action above it (an action type never contains "=").
 */
export function startsNewAction(lineBreak: boolean, current: readonly Word[], word: Word): boolean {
  return lineBreak && current.length > 0 && word.eq < 0;
}

/**
 * `transaction(` typed and its `)` not yet: Enter adds a line (qmp-shell's `TRANS>` prompt) instead of
 * running. A `)` inside quotes or JSON does not close it.
 */
export function transactionIsOpen(text: string, mode: ComposerMode): boolean {
  if (mode !== 'qmp-shell') return false;
  const tx = TRANSACTION_START.exec(text);
  if (!tx) return false;
  const body = tokenize(text.slice(tx[0].length), { punctuation: true }).tokens;
  return !body.some((t) => t.kind === ')');
}

function parseTransaction(text: string, bodyStart: number): ParseResult {
  const body = text.slice(bodyStart);
  const { tokens, error } = tokenize(body, { punctuation: true, offset: bodyStart });
  if (error) fail(error.message, error.start, error.end);
  const actions: JsonObject[] = [];
  const locations: ArgumentLocation[] = [];
  const warnings: SyntaxIssue[] = [];
  let closed = false;
  let current: Word[] = [];
  const finishAction = (at: Token) => {
    const [type, ...args] = current;
    current = [];
    if (!type)
      fail(
        'Empty action: write an action type (e.g. blockdev-snapshot-sync) and its arguments',
        at.start,
        at.end,
      );
    if (type.eq >= 0) fail(`Start each action with its type, not "${type.text}"`, type.start, type.end);
    const builder = new ArgumentBuilder(['actions', actions.length, 'data']);
    for (const word of args) builder.add(word);
    actions.push({ type: type.text, data: builder.args });
    locations.push(
      {
        path: ['actions', actions.length - 1, 'type'],
        keyStart: type.start,
        keyEnd: type.end,
        valueStart: type.start,
        valueEnd: type.end,
      },
      ...builder.locations,
    );
    warnings.push(...builder.warnings);
  };
  let lineBreak = false;
  for (const token of tokens) {
    if (token.kind === '\n') {
      lineBreak = true;
      continue;
    }
    if (closed) fail('Nothing may follow the ) that closes the transaction', token.start, token.end);
    if (token.kind === 'word') {
      if (startsNewAction(lineBreak, current, token)) finishAction(token);
      current.push(token);
    } else if (token.kind === ',') finishAction(token);
    else if (token.kind === ')') {
      if (current.length > 0) finishAction(token);
      closed = true;
    } else fail('Unexpected "(" inside the transaction', token.start, token.end);
    lineBreak = false;
  }
  if (!closed) fail('Close the transaction with ")"', text.length, text.length);
  return {
    ok: true,
    request: { execute: TRANSACTION_COMMAND, arguments: { actions } },
    warnings,
    locations,
  };
}

/** Builds one arguments object from key=value words: dotted keys, duplicate and shape checks. */
class ArgumentBuilder {
  readonly args: JsonObject = {};
  readonly locations: ArgumentLocation[] = [];
  readonly warnings: SyntaxIssue[] = [];
  /** Where each dotted path was first used as a value, or as an object. */
  private readonly leafAt = new Map<string, Word>();
  private readonly objectAt = new Map<string, Word>();

  constructor(private readonly basePath: ArgPath = []) {}

  add(word: Word): void {
    if (word.eq < 0 || !word.value) {
      fail(`Expected key=value, got "${word.text}"`, word.start, word.end);
    }
    const value = word.value!;
    const parts = word.keyParts;
    const rawKey = word.text.slice(0, word.text.indexOf('='));
    if (parts.length === 1 && parts[0]!.text === '') fail('Missing key before "="', word.start, word.eq + 1);
    for (const p of parts) {
      if (p.text === '') {
        fail(
          `Empty part in the key "${rawKey}" (two dots in a row, or a dot at an end)`,
          word.start,
          word.eq,
        );
      }
    }
    const keyText = parts.map((p) => p.text).join('.');
    const keyStart = parts[0]!.start;
    const keyEnd = parts[parts.length - 1]!.end;

    let parent = this.args;
    for (let k = 0; k < parts.length - 1; k++) {
      const seg = parts[k]!.text;
      const pathKey = pathId(parts, k);
      const leaf = this.leafAt.get(pathKey);
      if (leaf) {
        fail(
          `"${dotted(parts, k)}" is given a value (${leaf.text}) and also used as an object by ${keyText}`,
          keyStart,
          keyEnd,
        );
      }
      if (!this.objectAt.has(pathKey)) this.objectAt.set(pathKey, word);
      if (!Object.hasOwn(parent, seg)) parent[seg] = {};
      parent = parent[seg] as JsonObject;
    }
    const last = parts[parts.length - 1]!.text;
    const id = pathId(parts, parts.length - 1);
    const before = this.leafAt.get(id);
    if (before) fail(`"${keyText}" is set twice (first as ${before.text})`, keyStart, keyEnd);
    const asObject = this.objectAt.get(id);
    if (asObject) {
      fail(
        `"${keyText}" is given a value and also used as an object by ${asObject.text.split('=')[0]}`,
        keyStart,
        keyEnd,
      );
    }
    this.leafAt.set(id, word);
    parent[last] = this.valueOf(word, value, keyText);
    this.locations.push({
      path: [...this.basePath, ...parts.map((p) => p.text)],
      keyStart,
      keyEnd,
      valueStart: value.start,
      valueEnd: value.end,
    });
  }

  private valueOf(word: Word, value: WordValue, keyText: string): Json {
    if (value.json) {
      try {
        const parsed = parseJsonText(value.raw);
        for (const p of parsed.imprecise) {
          this.warnings.push(impreciseWarning(p.text, value.start + p.start, value.start + p.end));
        }
        return parsed.value;
      } catch (err) {
        if (!(err instanceof JsonTextError)) throw err;
        const at = value.start + err.position;
        return fail(
          `The value of ${keyText} starts like JSON but is not: ${err.message} (quote it to send a string)`,
          at,
          Math.min(at + 1, word.end),
        );
      }
    }
    if (value.quoted) return value.text;
    const scalar = jsonScalar(value.text);
    if (scalar === undefined) return value.text;
    if (typeof scalar === 'number' && /^-?\d+$/.test(value.text) && !Number.isSafeInteger(scalar)) {
      this.warnings.push(impreciseWarning(value.text, value.start, value.end));
    }
    return scalar;
  }
}

const pathId = (parts: KeyPart[], upTo: number) =>
  parts
    .slice(0, upTo + 1)
    .map((p) => p.text)
    .join('\u0000');
const dotted = (parts: KeyPart[], upTo: number) =>
  parts
    .slice(0, upTo + 1)
    .map((p) => p.text)
    .join('.');

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** `true`, `false`, `null` or a JSON number; undefined for anything else (a string). */
export function jsonScalar(text: string): Json | undefined {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  if (NUMBER.test(text)) return Number(text);
  return undefined;
}

// --- formatting -----------------------------------------------------------------------------------

export function columnOf(issue: SyntaxIssue): number {
  return issue.start + 1;
}
