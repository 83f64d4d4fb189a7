// What the caret is on in a qmp-shell line (a command name, an argument name, a value, a transaction
// action), the candidates the schema offers there, and the hint line. Works on half-typed text.
import type { Json, JsonObject } from '../../../protocol/qmp.ts';
import { DEVICE_ADD, type DeviceCatalog, deviceDriver } from './device-catalog.ts';
import { parseJsonText } from './json-text.ts';
import {
  type ArgPath,
  type ComposerMode,
  formatString,
  jsonScalar,
  startsNewAction,
  TRANSACTION_COMMAND,
  TRANSACTION_START,
  tokenize,
  type Word,
} from './qmp-shell-syntax.ts';
import { type Candidate, effectiveMembers, type QmpSchema } from './schema.ts';

export type CaretContext =
  | { kind: 'none' }
  | { kind: 'command'; prefix: string; from: number; to: number }
  | { kind: 'action'; prefix: string; from: number; to: number }
  | {
      kind: 'argument';
      command: string;
      args: JsonObject;
      /** Where the arguments object sits (inside a transaction: `['actions', i, 'data']`). */
      base: ArgPath;
      /** Key parts before the one being typed (`file.` → `['file']`). */
      parents: string[];
      prefix: string;
      from: number;
      to: number;
    }
  | {
      kind: 'value';
      command: string;
      args: JsonObject;
      base: ArgPath;
      key: string[];
      prefix: string;
      from: number;
      to: number;
    };

/** Where the caret is, in qmp-shell mode (JSON and HMP lines have no completion). */
export function caretContext(text: string, caret: number, mode: ComposerMode): CaretContext {
  if (mode !== 'qmp-shell' || text.trimStart().startsWith('{')) return { kind: 'none' };
  const tx = TRANSACTION_START.exec(text);
  if (tx && caret >= tx[0].length) return transactionContext(text, caret, tx[0].length);
  const words = tokenize(text).tokens as Word[];
  const current = words.find((w) => w.start <= caret && caret <= w.end);
  const first = words[0];
  if (!first || current === first || caret < first.start) {
    const from = current?.start ?? caret;
    return { kind: 'command', prefix: text.slice(from, caret), from, to: current?.end ?? caret };
  }
  if (first.eq >= 0) return { kind: 'none' };
  const others = words.slice(1).filter((w) => w !== current);
  return argumentContext(text, caret, first.text, current, buildLenient(others), []);
}

function transactionContext(text: string, caret: number, bodyStart: number): CaretContext {
  const tokens = tokenize(text.slice(bodyStart), { punctuation: true, offset: bodyStart }).tokens;
  // The action the caret is in: words between the separators around it.
  let index = 0;
  let segment: Word[] = [];
  let lineBreak = false;
  const nextAction = () => {
    index++;
    segment = [];
  };
  for (const t of tokens) {
    if (t.kind === 'word') {
      if (t.start > caret) break;
      if (startsNewAction(lineBreak, segment, t)) nextAction();
      segment.push(t);
      lineBreak = false;
    } else {
      if (t.start >= caret) break;
      if (t.kind === ')') return { kind: 'none' };
      if (t.kind === ',') nextAction();
      lineBreak = t.kind === '\n';
    }
  }
  const current = segment.find((w) => w.start <= caret && caret <= w.end);
  // On a fresh line of a multi-line transaction: the next action's type.
  if (lineBreak && !current) nextAction();
  const [type] = segment;
  if (!type || current === type) {
    const from = current?.start ?? caret;
    return { kind: 'action', prefix: text.slice(from, caret), from, to: current?.end ?? caret };
  }
  const data = buildLenient(segment.slice(1).filter((w) => w !== current));
  const actions: Json[] = Array.from({ length: index }, () => ({}));
  actions.push({ type: type.text, data });
  return argumentContext(text, caret, TRANSACTION_COMMAND, current, { actions }, ['actions', index, 'data']);
}

function argumentContext(
  text: string,
  caret: number,
  command: string,
  current: Word | undefined,
  args: JsonObject,
  base: ArgPath,
): CaretContext {
  if (!current)
    return { kind: 'argument', command, args, base, parents: [], prefix: '', from: caret, to: caret };
  if (current.eq >= 0 && caret > current.eq && current.value) {
    const v = current.value;
    return {
      kind: 'value',
      command,
      args,
      base,
      key: current.keyParts.map((p) => p.text),
      prefix: caret === current.end ? v.text : text.slice(v.start, caret).replace(/^["']/, ''),
      from: v.start,
      to: current.end,
    };
  }
  const parts = current.keyParts.filter((p) => p.start <= caret);
  const last = parts[parts.length - 1];
  const parents = parts.slice(0, -1).map((p) => p.text);
  return {
    kind: 'argument',
    command,
    args,
    base,
    parents,
    prefix: last ? text.slice(last.start, caret) : '',
    from: current.start,
    to: current.eq >= 0 ? current.eq + 1 : current.end,
  };
}

/** Arguments from key=value words, skipping whatever does not fit (the line may be half typed). */
export function buildLenient(words: readonly Word[]): JsonObject {
  const args: JsonObject = {};
  for (const w of words) {
    if (w.eq < 0 || !w.value || w.keyParts.some((p) => p.text === '')) continue;
    let parent = args;
    let ok = true;
    for (const part of w.keyParts.slice(0, -1)) {
      const next = parent[part.text];
      if (next === undefined) parent[part.text] = {};
      else if (typeof next !== 'object' || next === null || Array.isArray(next)) {
        ok = false;
        break;
      }
      parent = parent[part.text] as JsonObject;
    }
    if (!ok) continue;
    parent[w.keyParts[w.keyParts.length - 1]!.text] = lenientValue(w);
  }
  return args;
}

function lenientValue(w: Word): Json {
  const v = w.value!;
  if (v.json) {
    try {
      return parseJsonText(v.raw).value;
    } catch {
      return v.raw;
    }
  }
  if (v.quoted) return v.text;
  const scalar = jsonScalar(v.text);
  return scalar === undefined ? v.text : scalar;
}

/** Fully qualified path of an argument in context. */
function fullPath(base: ArgPath, key: readonly string[]): ArgPath {
  return [...base, ...key];
}

export interface Completion {
  from: number;
  to: number;
  candidates: Candidate[];
}

export interface CompleteOptions {
  mode: ComposerMode;
  /** Command names to rank first (recently used). */
  preferred?: readonly string[];
  /** device_add's drivers and their properties, as far as known. */
  devices?: DeviceCatalog | null;
}

const isDeviceTop = (ctx: { command: string; base: ArgPath }) =>
  ctx.command === DEVICE_ADD && ctx.base.length === 0;

function byPrefix<T extends { insert: string }>(items: T[], prefix: string): T[] {
  const starts = items.filter((c) => c.insert.startsWith(prefix));
  const contains = prefix
    ? items.filter((c) => !c.insert.startsWith(prefix) && c.insert.includes(prefix))
    : [];
  return [...starts, ...contains];
}

/** Candidates at the caret, and the range of text a chosen candidate replaces. */
export function complete(
  schema: QmpSchema,
  text: string,
  caret: number,
  options: CompleteOptions,
): Completion {
  const ctx = caretContext(text, caret, options.mode);
  switch (ctx.kind) {
    case 'none':
      return { from: caret, to: caret, candidates: [] };
    case 'command':
      return {
        from: ctx.from,
        to: ctx.to,
        candidates: schema.commandCandidates(ctx.prefix, options.preferred),
      };
    case 'action': {
      const candidates: Candidate[] = [];
      for (const [name, data] of schema.transactionActions()) {
        if (!name.startsWith(ctx.prefix)) continue;
        candidates.push({
          insert: name,
          label: name,
          kind: 'action',
          detail: data.members.length
            ? data.members.map((m) => m.name + (m.optional ? '?' : '')).join(' ')
            : 'no arguments',
        });
      }
      return { from: ctx.from, to: ctx.to, candidates };
    }
    case 'argument': {
      const parent = [...ctx.base, ...ctx.parents];
      const candidates = schema.argumentCandidates(
        ctx.command,
        ctx.args,
        parent,
        ctx.prefix,
        ctx.base.length,
      );
      const driver = deviceDriver(ctx.args);
      const props =
        isDeviceTop(ctx) && ctx.parents.length === 0 && driver ? options.devices?.properties(driver) : null;
      if (props) {
        const taken = new Set([
          ...Object.keys(ctx.args),
          ...(schema.command(DEVICE_ADD)?.args.members.map((m) => m.name) ?? []),
        ]);
        const extra = props
          .filter((p) => !taken.has(p.name))
          .map(
            (p): Candidate => ({
              insert: `${p.name}=`,
              label: p.name,
              kind: 'argument',
              detail: p.description ? `${p.type}: ${p.description}` : p.type,
            }),
          );
        candidates.push(...byPrefix(extra, ctx.prefix));
      }
      return { from: ctx.from, to: ctx.to, candidates };
    }
    case 'value': {
      if (isDeviceTop(ctx) && ctx.key.length === 1) {
        const devices = options.devices;
        if (ctx.key[0] === 'driver' && devices?.types) {
          const types = devices.types.map(
            (t): Candidate => ({ insert: t, label: t, kind: 'value', detail: 'device' }),
          );
          return { from: ctx.from, to: ctx.to, candidates: byPrefix(types, ctx.prefix) };
        }
        const driver = deviceDriver(ctx.args);
        const prop = driver ? devices?.properties(driver)?.find((p) => p.name === ctx.key[0]) : undefined;
        if (prop) {
          const values =
            prop.type === 'bool' ? ['true', 'false'] : prop.type === 'OnOffAuto' ? ['on', 'off', 'auto'] : [];
          const candidates = values.map(
            (v): Candidate => ({ insert: v, label: v, kind: 'value', detail: prop.type }),
          );
          return { from: ctx.from, to: ctx.to, candidates: byPrefix(candidates, ctx.prefix) };
        }
      }
      const at = schema.memberAt(ctx.command, ctx.args, fullPath(ctx.base, ctx.key));
      const candidates = at
        ? schema.valueCandidates(at.type, ctx.prefix).map((c) => ({ ...c, insert: formatString(c.insert) }))
        : [];
      // true/false/null are JSON, not strings: insert them bare.
      for (const c of candidates)
        if (c.label === 'true' || c.label === 'false' || c.label === 'null') c.insert = c.label;
      return { from: ctx.from, to: ctx.to, candidates };
    }
  }
}

/** Replaces `[from, to)` with the candidate; returns the new text and caret. */
export function applyCandidate(
  text: string,
  completion: Completion,
  candidate: Candidate,
): { text: string; caret: number } {
  const after = text.slice(completion.to);
  const opensMore = candidate.insert.endsWith('=') || candidate.insert.endsWith('.');
  const space = opensMore || after.startsWith(' ') ? '' : ' ';
  const inserted = candidate.insert + space;
  return {
    text: text.slice(0, completion.from) + inserted + after,
    caret: completion.from + inserted.length,
  };
}

export interface Hint {
  /** The command's signature (with the variant the arguments select). */
  signature: string | null;
  /** The argument at the caret: `driver (required): one of …`. */
  current: string | null;
}

/** The hint line for the caret: what the command takes, and what the current argument is. */
export function hintAt(
  schema: QmpSchema,
  text: string,
  caret: number,
  mode: ComposerMode,
  devices?: DeviceCatalog | null,
): Hint {
  if (mode === 'hmp') return { signature: null, current: null };
  if (mode === 'json' || text.trimStart().startsWith('{')) {
    // No caret context in JSON: the signature of the command once it names one.
    const execute = /"execute"\s*:\s*"([^"]+)"/.exec(text)?.[1];
    return {
      signature: execute && schema.hasCommand(execute) ? schema.signature(execute) : null,
      current: null,
    };
  }
  const ctx = caretContext(text, caret, mode);
  if (ctx.kind === 'none' || ctx.kind === 'command' || ctx.kind === 'action') {
    const name = ctx.kind === 'command' ? text.slice(ctx.from, ctx.to) : null;
    return { signature: name && schema.hasCommand(name) ? schema.signature(name) : null, current: null };
  }
  const args = ctx.args;
  let signature: string | null = schema.hasCommand(ctx.command) ? schema.signature(ctx.command, args) : null;
  if (ctx.base.length) {
    const action = schema.memberAt(ctx.command, args, ctx.base);
    const actionArgs = valueAt(args, ctx.base);
    const type = valueAt(args, ctx.base.slice(0, -1));
    if (action && action.type.kind === 'object') {
      const members = effectiveMembers(action.type, isObj(actionArgs) ? actionArgs : {});
      const typeName = isObj(type) && typeof type.type === 'string' ? type.type : '?';
      signature = `${typeName} ${members.map((m) => `${m.name}${m.optional ? '?' : ''}`).join(', ') || '(no arguments)'}`;
    }
  }
  const key = ctx.kind === 'value' ? ctx.key : [...ctx.parents, ctx.prefix];
  const at = schema.memberAt(ctx.command, args, fullPath(ctx.base, key));
  if (!at?.member && isDeviceTop(ctx) && key.length === 1) {
    const driver = deviceDriver(args);
    const prop = driver ? devices?.properties(driver)?.find((p) => p.name === key[0]) : undefined;
    if (prop) {
      const dflt =
        prop['default-value'] !== undefined ? `, default ${JSON.stringify(prop['default-value'])}` : '';
      return {
        signature,
        current: `${prop.name} (${driver} property${dflt}): ${prop.type}${prop.description ? ` — ${prop.description}` : ''}`,
      };
    }
  }
  if (!at?.member) return { signature, current: null };
  const m = at.member;
  const flags = [
    m.optional ? 'optional' : 'required',
    m.deprecated ? 'deprecated' : '',
    m.unstable ? 'unstable' : '',
  ]
    .filter(Boolean)
    .join(', ');
  return { signature, current: `${key.join('.')} (${flags}): ${schema.describeType(at.type)}` };
}

const isObj = (v: Json | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function valueAt(v: Json | undefined, path: ArgPath): Json | undefined {
  let cur = v;
  for (const p of path) {
    if (typeof p === 'number') cur = Array.isArray(cur) ? cur[p] : undefined;
    else cur = isObj(cur) ? cur[p] : undefined;
  }
  return cur;
}
