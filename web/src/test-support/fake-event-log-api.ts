// The console's HTTP API as the event log and alerts read it (fetch), over an in-memory journal, and its
// event streams (EventSource): for unit tests of the log and the alerts.
import { vi } from 'vitest';
import type { VmSummary } from '../../../protocol/api.ts';
import type { JournalAlert, JournalPage, JournalRecord } from '../../../protocol/journal.ts';
import { stubEventSources } from './fake-event-source.ts';
import { VM1 } from './render-app.tsx';

export interface Api {
  records: JournalRecord[];
  alerts: JournalAlert[];
  calls: string[];
}

/** Stubs the console's API (fetch) and EventSource; the journal holds `records` and `alerts`. */
export function stubConsole(records: JournalRecord[], alerts: JournalAlert[] = [], vms: VmSummary[] = [VM1]) {
  const api: Api = { records, alerts, calls: [] };
  vi.stubGlobal(
    'fetch',
    vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
      const url = new URL(String(input), 'http://console.test');
      api.calls.push(`${init?.method ?? 'GET'} ${url.pathname}${url.search}`);
      const json = (body: unknown) =>
        new Response(JSON.stringify(body), { headers: { 'content-type': 'application/json' } });
      if (url.pathname === '/api/vms') return json(vms);
      if (url.pathname === '/api/alerts')
        return json({ alerts: api.alerts.filter((a) => a.state === 'open') });
      const ack = /^\/api\/alerts\/(\d+)\/ack$/.exec(url.pathname);
      if (ack && init?.method === 'POST') {
        const a = api.alerts.find((x) => x.id === Number(ack[1]))!;
        a.state = 'acknowledged';
        return json({ alert: a });
      }
      const events = /^\/api\/(?:vms\/([^/]+)\/)?events$/.exec(url.pathname);
      if (events) {
        const before = Number(url.searchParams.get('before') ?? Number.POSITIVE_INFINITY);
        const limit = Number(url.searchParams.get('limit'));
        const matching = api.records
          .filter((r) => r.seq < before && (!events[1] || r.vm === events[1]))
          .sort((a, b) => b.seq - a.seq);
        const page = matching.slice(0, limit);
        return json({
          events: page,
          next: matching.length > limit ? page[page.length - 1]!.seq : null,
        } satisfies JournalPage);
      }
      return new Response('{"error":"not found"}', { status: 404, statusText: 'Not Found' });
    }),
  );
  const sources = stubEventSources();
  return { api, sources };
}
