// The journal API's query parameters → validated queries, or a BadRequest that says what is wrong.
import type { AlertState } from '../../protocol/journal.ts';
import type { AlertQuery, EventQuery } from './journal-store.ts';

export class BadRequest extends Error {
  override readonly name = 'BadRequest';
}

export const DEFAULT_LIMIT = 100;
export const MAX_LIMIT = 1000;
const MAX_EVENT_NAMES = 64;

/** Parameters any endpoint tolerates (credentials a front proxy or the auth layer may add). */
const TOLERATED = new Set(['token', 'access_token']);

type Params = Map<string, string[]>;

function collect(sp: URLSearchParams, known: readonly string[], repeatable: readonly string[] = []): Params {
  const out: Params = new Map();
  for (const [key, value] of sp) {
    if (TOLERATED.has(key)) continue;
    if (!known.includes(key))
      throw new BadRequest(
        `unknown parameter "${key}" (${known.length ? `this endpoint takes: ${known.join(', ')}` : 'this endpoint takes none'})`,
      );
    const list = out.get(key) ?? [];
    if (list.length > 0 && !repeatable.includes(key))
      throw new BadRequest(`parameter "${key}" is given twice`);
    list.push(value);
    out.set(key, list);
  }
  return out;
}

const one = (p: Params, key: string): string | undefined => p.get(key)?.[0];

export function parseSeq(name: string, text: string): number {
  if (!/^\d{1,16}$/.test(text) || !Number.isSafeInteger(Number(text)))
    throw new BadRequest(`${name} "${text}" is not a sequence number (a whole number ≥ 0)`);
  return Number(text);
}

const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2}))?$/i;

/** An ISO 8601 time with a zone (`2026-05-01T10:00:00Z`), a date (UTC midnight), or epoch milliseconds. */
export function parseTime(name: string, text: string): number {
  if (/^\d{1,15}$/.test(text)) return Number(text);
  if (ISO.test(text)) {
    const t = Date.parse(text.replace(' ', 'T'));
    if (!Number.isNaN(t)) return t;
  }
  const hint = /^\d{4}-\d{2}-\d{2}T[\d:.]+$/.test(text) ? ' (add a zone: Z or +HH:MM)' : '';
  throw new BadRequest(
    `${name} "${text}" is not a time: use ISO 8601 (2026-05-01T10:00:00Z) or epoch milliseconds${hint}`,
  );
}

export function parseEventNames(values: string[] | undefined): string[] | undefined {
  if (!values) return undefined;
  const names = values.flatMap((v) => v.split(',')).map((v) => v.trim());
  for (const n of names)
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(n))
      throw new BadRequest(`event "${n}" is not an event name (e.g. BLOCK_IO_ERROR)`);
  if (names.length > MAX_EVENT_NAMES) throw new BadRequest(`at most ${MAX_EVENT_NAMES} event names`);
  return [...new Set(names.map((n) => n.toUpperCase()))];
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIMIT;
  const n = /^\d{1,7}$/.test(text) ? Number(text) : Number.NaN;
  if (!(n >= 1 && n <= MAX_LIMIT))
    throw new BadRequest(`limit "${text}" must be a whole number from 1 to ${MAX_LIMIT}`);
  return n;
}

export interface EventsRequest {
  query: Omit<EventQuery, 'vm'>;
  format: 'json' | 'ndjson';
  /** For ndjson: export at most `query.limit` records only if the caller gave a limit. */
  limitGiven: boolean;
}

/** `GET /api/events`, `GET /api/vms/NAME/events`. */
export function parseEventsRequest(sp: URLSearchParams, accept: string | undefined): EventsRequest {
  const p = collect(
    sp,
    ['after', 'before', 'since', 'until', 'event', 'limit', 'order', 'format'],
    ['event'],
  );
  const order = one(p, 'order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') throw new BadRequest(`order "${order}" must be asc or desc`);
  const fmt = one(p, 'format');
  if (fmt !== undefined && fmt !== 'json' && fmt !== 'ndjson')
    throw new BadRequest(`format "${fmt}" must be json or ndjson`);
  const format = fmt ?? (/application\/x-ndjson/i.test(accept ?? '') ? 'ndjson' : 'json');
  const query: Omit<EventQuery, 'vm'> = { limit: parseLimit(one(p, 'limit')), order };
  const after = one(p, 'after');
  const before = one(p, 'before');
  const since = one(p, 'since');
  const until = one(p, 'until');
  if (after !== undefined) query.after = parseSeq('after', after);
  if (before !== undefined) query.before = parseSeq('before', before);
  if (since !== undefined) query.since = parseTime('since', since);
  if (until !== undefined) query.until = parseTime('until', until);
  const events = parseEventNames(p.get('event'));
  if (events) query.events = events;
  return { query, format, limitGiven: p.has('limit') };
}

export interface StreamRequest {
  /** Resume after this seq; null: live from now. */
  after: number | null;
  events?: string[];
}

/** `GET …/events/stream`: `Last-Event-ID` (what EventSource sends on reconnect) wins over `?after=`. */
export function parseStreamRequest(sp: URLSearchParams, lastEventId: string | undefined): StreamRequest {
  const p = collect(sp, ['after', 'event'], ['event']);
  const after = one(p, 'after');
  const req: StreamRequest = {
    after:
      lastEventId !== undefined && lastEventId !== ''
        ? parseSeq('Last-Event-ID', lastEventId.trim())
        : after !== undefined
          ? parseSeq('after', after)
          : null,
  };
  const events = parseEventNames(p.get('event'));
  if (events) req.events = events;
  return req;
}

/** `GET /api/alerts?state=open|acknowledged&vm=NAME&limit=N` */
export function parseAlertsRequest(sp: URLSearchParams): AlertQuery {
  const p = collect(sp, ['state', 'vm', 'limit']);
  const state = one(p, 'state');
  if (state !== undefined && state !== 'open' && state !== 'acknowledged')
    throw new BadRequest(`state "${state}" must be open or acknowledged`);
  const q: AlertQuery = { limit: parseLimit(one(p, 'limit')) };
  if (state) q.state = state as AlertState;
  const vm = one(p, 'vm');
  if (vm !== undefined) q.vm = vm;
  return q;
}

/** `GET /api/audit?before=ID&vm=NAME&limit=N` */
export function parseAuditRequest(sp: URLSearchParams): { limit: number; before?: number; vm?: string } {
  const p = collect(sp, ['before', 'vm', 'limit']);
  const before = one(p, 'before');
  const vm = one(p, 'vm');
  return {
    limit: parseLimit(one(p, 'limit')),
    ...(before !== undefined ? { before: parseSeq('before', before) } : {}),
    ...(vm !== undefined ? { vm } : {}),
  };
}

/** Only `token`-style parameters, nothing else. */
export function parseNoParams(sp: URLSearchParams): void {
  collect(sp, []);
}
