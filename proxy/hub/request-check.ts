// Validates one client message the way QEMU's qmp_dispatch_check_obj does, with QEMU's own wording.
import type { Json, JsonObject, QmpErrorBody } from '../../protocol/qmp.ts';
import { type JsonInput, parseJsonMessage } from '../qmp/json-streamer.ts';
import { qemuInputProblem, surelyFitsQemu } from '../qmp/qemu-json-limits.ts';

export type CheckedRequest =
  | {
      ok: true;
      kind: 'execute' | 'exec-oob';
      command: string;
      args: JsonObject | undefined;
      id: Json | undefined;
      /** The id's and the arguments' text when a number in them would not survive as a JS number. */
      idText?: string;
      argsText?: string;
    }
  | { ok: false; error: QmpErrorBody; id: Json | undefined; idText?: string };

const generic = (desc: string): QmpErrorBody => ({ class: 'GenericError', desc });

/** One WebSocket text frame: one JSON object, read as QEMU reads it. */
export function parseRequest(text: string, oobEnabled: boolean): CheckedRequest {
  return checkRequest(parseJsonMessage(text), oobEnabled, surelyFitsQemu(text));
}

/** A message QEMU's JSON streamer has ended, checked as qmp_dispatch_check_obj checks it. */
export function checkRequest(
  input: JsonInput,
  oobEnabled: boolean,
  /** Its text is known to hold nothing QEMU's parser could not take (a small, plain frame). */
  fitsQemu = false,
): CheckedRequest {
  if (!input.ok) return { ok: false, error: generic(input.desc), id: undefined };
  const value = input.value;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, error: generic('QMP input must be a JSON object'), id: undefined };
  }
  const req = value as Record<string, Json>;
  // Before anything echoes the id or forwards the request: what QEMU's parser could not take.
  const tooMuch = fitsQemu ? null : qemuInputProblem(req);
  if (tooMuch)
    return {
      ok: false,
      error: generic(tooMuch.desc),
      id: tooMuch.where === 'id' ? undefined : req.id,
      ...(tooMuch.where === 'id' || input.exact?.id === undefined ? {} : { idText: input.exact.id }),
    };
  const id = 'id' in req ? req.id : undefined;
  const exact = input.exact ?? {};
  const idText = exact.id;
  const fail = (desc: string): CheckedRequest => ({
    ok: false,
    error: generic(desc),
    id,
    ...(idText === undefined ? {} : { idText }),
  });
  let kind: 'execute' | 'exec-oob' | null = null;
  for (const key of Object.keys(req)) {
    if (key === 'execute' || (key === 'exec-oob' && oobEnabled)) {
      if (typeof req[key] !== 'string') return fail(`QMP input member '${key}' must be a string`);
      if (kind !== null) return fail(`QMP input member '${key}' clashes with '${kind}'`);
      kind = key;
    } else if (key === 'arguments') {
      const args = req[key];
      if (typeof args !== 'object' || args === null || Array.isArray(args))
        return fail("QMP input member 'arguments' must be an object");
    } else if (key !== 'id') {
      return fail(`QMP input member '${key}' is unexpected`);
    }
  }
  if (kind === null) return fail("QMP input lacks member 'execute'");
  return {
    ok: true,
    kind,
    command: req[kind] as string,
    args: req.arguments as JsonObject | undefined,
    id,
    ...(idText === undefined ? {} : { idText }),
    ...(exact.arguments === undefined ? {} : { argsText: exact.arguments }),
  };
}
