// The journal's HTTP API: event pages and NDJSON export, SSE streams, alerts and their acknowledgement.
//
//   GET  /api/events                     GET /api/vms/NAME/events          JournalPage or NDJSON
//   GET  /api/events/stream              GET /api/vms/NAME/events/stream   text/event-stream
//   GET  /api/alerts?state=&vm=&limit=   POST /api/alerts/ID/ack           AlertList, AlertAckResult
//   GET  /api/alerts/ID                                                    AlertAckResult (one alert)
//   GET  /api/audit?before=&vm=&limit=   (operator)                        AuditList
//   GET  /api/journal                                                      JournalStatus
import type http from 'node:http';
import type { ConsoleRole } from '../../protocol/api.ts';
import type {
  AlertAckResult,
  AlertList,
  AuditList,
  AuditRecord,
  JournalHealth,
} from '../../protocol/journal.ts';
import { toJournalAlert } from '../journal/alert-book.ts';
import { DEFAULT_STREAM_OPTIONS, EventStream, type EventStreamOptions } from '../journal/event-stream.ts';
import { type Journal, recordJson } from '../journal/journal.ts';
import type { EventQuery, EventRow } from '../journal/journal-store.ts';
import {
  BadRequest,
  parseAlertsRequest,
  parseAuditRequest,
  parseEventsRequest,
  parseNoParams,
  parseSeq,
  parseStreamRequest,
} from '../journal/query-params.ts';
import { journalSlices } from '../journal/slice-scheduler.ts';
import { log } from '../log.ts';
import { sendJson, sendJsonText } from './send-json.ts';
import type { Admissions } from './stream-admission.ts';

/** Who is asking: the auth layer provides it; only operators may acknowledge. */
export interface JournalRequestContext {
  role: ConsoleRole;
  /** Recorded as `acknowledgedBy`, e.g. a user name or the remote address. */
  actor: string;
}

export interface JournalRoutesOptions {
  journal: Journal;
  /** Configured VMs: other names are 404 under /api/vms/NAME/. */
  vmExists(name: string): boolean;
  stream?: Partial<EventStreamOptions>;
  /** Caps on open event streams and exports (503 past them); none when not given. */
  admissions?: Admissions;
}

export interface JournalRoutes {
  /** Answers the request and returns true if it is one of the journal's paths. */
  handle(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    context: JournalRequestContext,
  ): boolean;
  /** For `GET /api/vms` entries. */
  health(): JournalHealth;
  /** Ends every open stream. */
  close(): void;
}

/** Records per slice of an export: a few milliseconds of the event loop. */
const EXPORT_PAGE = 200;

const VM_EVENTS = /^\/api\/vms\/([^/]+)\/events(\/stream)?$/;
const ALERT_ACK = /^\/api\/alerts\/([^/]+)\/ack$/;
const ALERT_ONE = /^\/api\/alerts\/([^/]+)$/;

export function createJournalRoutes(options: JournalRoutesOptions): JournalRoutes {
  const { journal } = options;
  const streamOptions = { ...DEFAULT_STREAM_OPTIONS, ...options.stream };
  const streams = new Set<EventStream>();

  function route(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    url: URL,
    context: JournalRequestContext,
  ): (() => void) | null {
    const p = url.pathname;
    const sp = url.searchParams;
    const method = req.method ?? 'GET';
    const get = (fn: () => void) => () =>
      method === 'GET' || method === 'HEAD' ? fn() : notAllowed(res, 'GET');

    if (p === '/api/events') return get(() => events(req, res, sp, undefined));
    if (p === '/api/events/stream') return get(() => stream(req, res, sp, undefined));
    const vmMatch = VM_EVENTS.exec(p);
    if (vmMatch) {
      const name = decodeURIComponent(vmMatch[1]!);
      if (!options.vmExists(name)) return () => sendJson(res, 404, { error: `unknown VM "${name}"` });
      return vmMatch[2] ? get(() => stream(req, res, sp, name)) : get(() => events(req, res, sp, name));
    }
    if (p === '/api/alerts') return get(() => alerts(res, sp));
    const ack = ALERT_ACK.exec(p);
    if (ack)
      return () => (method === 'POST' ? acknowledge(res, sp, ack[1]!, context) : notAllowed(res, 'POST'));
    const one = ALERT_ONE.exec(p);
    if (one) return get(() => alert(res, sp, one[1]!));
    if (p === '/api/audit') return get(() => audit(res, sp, context));
    if (p === '/api/journal')
      return get(() => {
        parseNoParams(sp);
        sendJson(res, 200, journal.status());
      });
    return null;
  }

  function events(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    sp: URLSearchParams,
    vm: string | undefined,
  ) {
    const r = parseEventsRequest(sp, req.headers.accept);
    const query: EventQuery = { ...r.query, ...(vm !== undefined ? { vm } : {}) };
    if (r.format === 'ndjson') {
      if (options.admissions && !options.admissions.exports.admit(req, res)) return;
      exportNdjson(res, query, r.limitGiven);
      return;
    }
    const rows = journal.query({ ...query, limit: query.limit + 1 });
    const more = rows.length > query.limit;
    const page = more ? rows.slice(0, query.limit) : rows;
    const next = more ? page[page.length - 1]!.seq : null;
    sendJsonText(res, 200, `{"events":[${page.map(recordJson).join(',')}],"next":${next}}`);
  }

  /**
   * The whole selection as NDJSON, page by page as fast as the client reads, one page per turn of
   * the slice scheduler (in turn with every other export and replaying stream).
   */
  function exportNdjson(res: http.ServerResponse, query: EventQuery, limitGiven: boolean): void {
    res.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'cache-control': 'no-store',
    });
    // What exists now: a storm during an ascending export must not keep it going forever.
    const end = journal.headSeq + 1;
    let cursor: Pick<EventQuery, 'after' | 'before'> = {
      before: Math.min(query.before ?? end, end),
      ...(query.after !== undefined ? { after: query.after } : {}),
    };
    let remaining = limitGiven ? query.limit : Number.POSITIVE_INFINITY;
    const slice = () => {
      if (res.destroyed) return;
      try {
        const limit = Math.min(EXPORT_PAGE, remaining);
        const rows: EventRow[] = remaining > 0 ? journal.query({ ...query, ...cursor, limit }) : [];
        if (rows.length === 0) return void res.end();
        remaining -= rows.length;
        const last = rows[rows.length - 1]!.seq;
        cursor = query.order === 'asc' ? { ...cursor, after: last } : { ...cursor, before: last };
        const ok = res.write(`${rows.map(recordJson).join('\n')}\n`);
        if (rows.length < limit || remaining === 0) return void res.end();
        if (ok) journalSlices.later(slice);
        else res.once('drain', () => journalSlices.later(slice));
      } catch (err) {
        log.error('journal export failed', { error: String(err) });
        res.destroy();
      }
    };
    journalSlices.later(slice);
  }

  function stream(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    sp: URLSearchParams,
    vm: string | undefined,
  ) {
    const lastEventId = req.headers['last-event-id'];
    const r = parseStreamRequest(sp, Array.isArray(lastEventId) ? lastEventId[0] : lastEventId);
    if (options.admissions && !options.admissions.streams.admit(req, res)) return;
    req.socket.setNoDelay(true);
    req.socket.setKeepAlive(true, 30_000);
    const s = new EventStream(
      res,
      journal,
      { ...(vm !== undefined ? { vm } : {}), ...(r.events ? { events: r.events } : {}) },
      r.after,
      streamOptions,
    );
    streams.add(s);
    res.on('close', () => streams.delete(s));
  }

  function alerts(res: http.ServerResponse, sp: URLSearchParams) {
    const list = journal.listAlerts(parseAlertsRequest(sp));
    sendJson(res, 200, { alerts: list.map(toJournalAlert) } satisfies AlertList);
  }

  /** One alert, open or acknowledged, however old: what a deep link to it shows. */
  function alert(res: http.ServerResponse, sp: URLSearchParams, idText: string) {
    parseNoParams(sp);
    const id = parseSeq('alert id', decodeURIComponent(idText));
    const found = journal.getAlert(id);
    if (!found) return sendJson(res, 404, { error: `no alert ${id}` });
    sendJson(res, 200, { alert: toJournalAlert(found) } satisfies AlertAckResult);
  }

  function acknowledge(
    res: http.ServerResponse,
    sp: URLSearchParams,
    idText: string,
    context: JournalRequestContext,
  ) {
    parseNoParams(sp);
    const id = parseSeq('alert id', decodeURIComponent(idText));
    if (context.role !== 'operator')
      return sendJson(res, 403, { error: 'acknowledging alerts needs the operator role' });
    const result = journal.acknowledge(id, context.actor);
    if (result === 'not-found') return sendJson(res, 404, { error: `no alert ${id}` });
    sendJson(res, 200, { alert: toJournalAlert(result) } satisfies AlertAckResult);
  }

  function audit(res: http.ServerResponse, sp: URLSearchParams, context: JournalRequestContext) {
    const q = parseAuditRequest(sp);
    // Who ran what, from where: the operator's business, not a viewer's.
    if (context.role !== 'operator')
      return sendJson(res, 403, { error: 'the audit trail needs the operator role' });
    journal.flushAudit();
    const rows = journal.store.audit(q.limit + 1, q.before, q.vm);
    const page = rows.slice(0, q.limit);
    const records: AuditRecord[] = page.map((r) => ({
      id: r.id,
      at: new Date(r.at).toISOString(),
      vm: r.vm,
      command: r.command,
      argumentNames: r.argumentNames,
      outcome: r.outcome as AuditRecord['outcome'],
      errorClass: r.errorClass,
      role: r.role,
      remote: r.remote,
      count: r.count,
    }));
    sendJson(res, 200, {
      records,
      next: rows.length > q.limit ? page[page.length - 1]!.id : null,
    } satisfies AuditList);
  }

  return {
    handle(req, res, url, context) {
      try {
        // Routing decodes path segments too (`/api/vms/%ff/events`): its URIError is a 400 as well.
        const run = route(req, res, url, context);
        if (!run) return false;
        run();
      } catch (err) {
        if (err instanceof BadRequest || err instanceof URIError) sendJson(res, 400, { error: err.message });
        else {
          log.error('journal API error', { path: url.pathname, error: String(err) });
          if (!res.headersSent) sendJson(res, 500, { error: 'internal error (see the console log)' });
          else res.destroy();
        }
      }
      return true;
    },
    health: () => journal.health(),
    close() {
      for (const s of streams) s.close();
      streams.clear();
    },
  };
}

function notAllowed(res: http.ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  sendJson(res, 405, { error: `method not allowed (use ${allow})` });
}
