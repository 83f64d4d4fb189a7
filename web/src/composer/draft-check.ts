// What the composer thinks of the line: its syntax, the console's policy, then QEMU's schema. The same
// check runs on Enter (before sending) and while the user types (after a pause, without sending).
import { useEffect, useMemo, useState } from 'react';
import { type PolicySession, refusalSentence } from '../qemu/refusal.ts';
import type { DeviceCatalog } from './device-catalog.ts';
import { refineDeviceIssues } from './device-catalog.ts';
import {
  type ArgumentLocation,
  type ComposerMode,
  parseInput,
  type QmpRequest,
  type SyntaxIssue,
  TRANSACTION_COMMAND,
  transactionIsOpen,
} from './qmp-shell-syntax.ts';
import type { QmpSchema, SchemaIssue } from './schema.ts';

export interface DraftContext {
  mode: ComposerMode;
  cpuIndex: number | null;
  schema: QmpSchema | null;
  devices: DeviceCatalog | null;
  session: PolicySession | null | undefined;
}

export type DraftCheck =
  | { kind: 'syntax'; error: SyntaxIssue; text: string }
  | { kind: 'policy'; refusal: string }
  | {
      kind: 'checked';
      request: QmpRequest;
      line: string;
      /** What QEMU would refuse. */
      errors: SchemaIssue[];
      /** Warnings and notes: worth a look, no reason not to send. */
      notes: (SchemaIssue | SyntaxIssue)[];
      locations: readonly ArgumentLocation[];
    };

/** The console's refusal of the request or of one of a transaction's actions (the proxy checks each). */
export function policyRefusal(session: PolicySession | null | undefined, request: QmpRequest): string | null {
  const refusal = refusalSentence(session, request.execute);
  if (refusal || request.execute !== TRANSACTION_COMMAND) return refusal;
  const actions = request.arguments?.actions;
  if (!Array.isArray(actions)) return null;
  for (const action of actions) {
    const type = action && typeof action === 'object' && !Array.isArray(action) ? action.type : undefined;
    const inner = typeof type === 'string' ? refusalSentence(session, type) : null;
    if (inner) return `The transaction's action ${type} is refused. ${inner}`;
  }
  return null;
}

export function checkDraft(text: string, ctx: DraftContext): DraftCheck {
  const parsed = parseInput(text, { mode: ctx.mode, cpuIndex: ctx.cpuIndex });
  if (!parsed.ok) return { kind: 'syntax', error: parsed.error, text };
  // The console would refuse it whatever QEMU's schema says: nothing to send anyway.
  const refusal = policyRefusal(ctx.session, parsed.request);
  if (refusal) return { kind: 'policy', refusal };
  const issues = ctx.schema
    ? refineDeviceIssues(parsed.request, ctx.schema.validate(parsed.request), ctx.devices)
    : [];
  return {
    kind: 'checked',
    request: parsed.request,
    line: text.trim(),
    errors: issues.filter((i) => i.severity === 'error'),
    notes: [...parsed.warnings, ...issues.filter((i) => i.severity !== 'error')],
    locations: parsed.locations,
  };
}

/** How long typing must pause before the line is checked: long enough not to flag every keystroke. */
export const LIVE_CHECK_PAUSE_MS = 300;

/**
 * The check of the line once typing pauses; null while typing (an older answer would point at text
 * that moved) and for an empty line. An open multi-line transaction is checked as if closed now.
 */
export function useLiveCheck(text: string, ctx: DraftContext): DraftCheck | null {
  const [settled, setSettled] = useState<string | null>(null);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(text), LIVE_CHECK_PAUSE_MS);
    return () => clearTimeout(timer);
  }, [text]);
  const current = settled === text && text.trim() ? text : null;
  const { mode, cpuIndex, schema, devices, session } = ctx;
  return useMemo(() => {
    if (current === null) return null;
    const closed = transactionIsOpen(current, mode) ? `${current}\n)` : current;
    return checkDraft(closed, { mode, cpuIndex, schema, devices, session });
  }, [current, mode, cpuIndex, schema, devices, session]);
}
