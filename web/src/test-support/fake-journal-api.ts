// A fake console for the alerts and audit pages: `fetch` answers /api/vms, /api/session, /api/alerts
// (state, vm, limit), /api/alerts/ID, POST /api/alerts/ID/ack (recording who and when) and /api/audit
// (vm, before, limit; 403 to a viewer), as the proxy does. The console stream is a fake EventSource.
import { vi } from 'vitest';
import type { ConsoleRole, SessionInfo, VmSummary } from '../../../protocol/api.ts';
import type { AuditRecord, JournalAlert } from '../../../protocol/journal.ts';
import { stubEventSources } from './fake-event-source.ts';

export interface FakeJournal {
  alerts: JournalAlert[];
  audit: AuditRecord[];
  role: ConsoleRole;
  /** Every request, as `METHOD /path?query`. */
  calls: string[];
}

export function session(role: ConsoleRole): SessionInfo {
  return { role, auth: true, policy: { readOnly: false, viewerAllow: ['query-*'], deny: [] } };
}

export function auditRecord(id: number, partial: Partial<AuditRecord> = {}): AuditRecord {
  return {
    id,
    at: new Date(Date.UTC(2026, 10, 30, 10, 0, id)).toISOString(),
    vm: 'vm1',
    command: 'query-status',
    argumentNames: [],
    outcome: 'ok',
    errorClass: null,
    role: 'operator',
    remote: `127.0.0.1:${40000 + id}`,
    count: 1,
    ...partial,
  };
}

export function stubJournalApi(init: Partial<FakeJournal> & { vms: VmSummary[] }) {
  const j: FakeJournal = { audit: [], role: 'operator', calls: [], ...init, alerts: [] };
  // Its own copies: an acknowledgement changes them, never the test's fixtures.
  j.alerts = (init.alerts ?? []).map((a) => ({ ...a }));
  const json = (body: unknown, status = 200) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, req?: RequestInit) => {
      const url = new URL(String(input), 'http://console.test');
      const method = req?.method ?? 'GET';
      j.calls.push(`${method} ${url.pathname}${url.search}`);
      const sp = url.searchParams;
      if (url.pathname === '/api/vms') return json(init.vms);
      if (url.pathname === '/api/session') return json(session(j.role));
      if (url.pathname === '/api/alerts') {
        const list = j.alerts
          .filter(
            (a) =>
              (!sp.get('state') || a.state === sp.get('state')) && (!sp.get('vm') || a.vm === sp.get('vm')),
          )
          .sort((a, b) => b.lastSeq - a.lastSeq)
          .slice(0, Number(sp.get('limit') ?? 100));
        return json({ alerts: list });
      }
      const one = /^\/api\/alerts\/(\d+)(\/ack)?$/.exec(url.pathname);
      if (one) {
        const a = j.alerts.find((x) => x.id === Number(one[1]));
        if (!a) return json({ error: `no alert ${one[1]}` }, 404);
        if (!one[2]) return json({ alert: a });
        if (j.role !== 'operator')
          return json({ error: 'acknowledging alerts needs the operator role' }, 403);
        Object.assign(a, {
          state: 'acknowledged',
          acknowledgedBy: 'operator@127.0.0.1',
          acknowledgedAt: '2026-11-30T10:30:00.000Z',
        });
        return json({ alert: { ...a } });
      }
      if (url.pathname === '/api/audit') {
        if (j.role !== 'operator') return json({ error: 'the audit trail needs the operator role' }, 403);
        const before = Number(sp.get('before') ?? Number.POSITIVE_INFINITY);
        const limit = Number(sp.get('limit') ?? 100);
        const matching = j.audit
          .filter((r) => r.id < before && (!sp.get('vm') || r.vm === sp.get('vm')))
          .sort((a, b) => b.id - a.id);
        const records = matching.slice(0, limit);
        return json({ records, next: matching.length > limit ? records[records.length - 1]!.id : null });
      }
      return json({ error: 'not found' }, 404);
    }),
  );
  const sources = stubEventSources();
  return { journal: j, sources };
}
