// A command back into text: a qmp-shell line, JSON, or a `virsh qemu-monitor-command` line.
import type { Json, JsonObject } from '../../../protocol/qmp.ts';
import { HMP_COMMAND } from '../qemu/commands.ts';
import { jsonScalar, type QmpRequest, TRANSACTION_COMMAND } from './qmp-shell-syntax.ts';

const isPlainObject = (v: Json | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Characters that make a bare word ambiguous; such strings are written in double quotes. */
const NEEDS_QUOTES = /[\s"'\\(),]/;

/** A string value as a qmp-shell word: bare when that reads back as the same string, else double-quoted. */
export function formatString(s: string): string {
  if (
    s === '' ||
    NEEDS_QUOTES.test(s) ||
    s.startsWith('{') ||
    s.startsWith('[') ||
    jsonScalar(s) !== undefined
  ) {
    return JSON.stringify(s);
  }
  return s;
}

function formatKeySegment(k: string): string {
  return k === '' || NEEDS_QUOTES.test(k) || /[.=]/.test(k) ? JSON.stringify(k) : k;
}

function formatValue(v: Json): string {
  return typeof v === 'string' ? formatString(v) : JSON.stringify(v);
}

function formatPairs(args: JsonObject, prefix = ''): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(args)) {
    const key = prefix + formatKeySegment(k);
    if (isPlainObject(v) && Object.keys(v).length > 0) out.push(...formatPairs(v, `${key}.`));
    else out.push(`${key}=${formatValue(v)}`);
  }
  return out;
}

function isShellTransaction(req: QmpRequest): req is QmpRequest & { arguments: { actions: JsonObject[] } } {
  const args = req.arguments;
  if (req.execute !== TRANSACTION_COMMAND || !args || Object.keys(args).length !== 1) return false;
  const actions = args.actions;
  return (
    Array.isArray(actions) &&
    actions.length > 0 &&
    actions.every(
      (a) =>
        isPlainObject(a) &&
        typeof a.type === 'string' &&
        a.type !== '' &&
        !NEEDS_QUOTES.test(a.type) &&
        !a.type.includes('=') &&
        Object.keys(a).every((k) => k === 'type' || k === 'data') &&
        (a.data === undefined || isPlainObject(a.data)),
    )
  );
}

/** The command as a qmp-shell line (parses back to the same command). */
export function formatQmpShell(req: QmpRequest): string {
  if (isShellTransaction(req)) {
    const actions = req.arguments.actions.map((a) =>
      [a.type as string, ...formatPairs((a.data as JsonObject | undefined) ?? {})].join(' '),
    );
    return `transaction( ${actions.join(', ')} )`;
  }
  return [req.execute, ...formatPairs(req.arguments ?? {})].join(' ');
}

/** The command as QMP JSON (`pretty`: indented by two spaces). */
export function formatJson(req: QmpRequest, { pretty = false } = {}): string {
  const wire: JsonObject = { execute: req.execute };
  if (req.arguments !== undefined) wire.arguments = req.arguments;
  return pretty ? JSON.stringify(wire, null, 2) : JSON.stringify(wire);
}

/** Quotes one word for a POSIX shell (single quotes; a `'` becomes `'\''`). */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** The command for libvirt: `virsh qemu-monitor-command DOMAIN --pretty '{…}'` (HMP lines with `--hmp`). */
export function formatVirsh(req: QmpRequest, domain: string): string {
  const args = req.arguments;
  if (
    req.execute === HMP_COMMAND &&
    args &&
    typeof args['command-line'] === 'string' &&
    Object.keys(args).length === 1
  ) {
    return `virsh qemu-monitor-command ${shellQuote(domain)} --hmp ${shellQuote(args['command-line'])}`;
  }
  return `virsh qemu-monitor-command ${shellQuote(domain)} --pretty ${shellQuote(formatJson(req))}`;
}

/** A 1-based column for messages ("at column 12"). */
