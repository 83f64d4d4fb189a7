// The answers the console put in index.html: taken once, refused when malformed, and seeded so that the
// first components mounting paint from them without asking again.
import { QueryClient, QueryObserver } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PAGE_SNAPSHOT_ID, type PageSnapshot, type VmSummary } from '../../../protocol/api.ts';
import type { JournalAlert } from '../../../protocol/journal.ts';
import { alertKeys, openAlertsQueryOptions } from './alerts.ts';
import { seedFromPageSnapshot, takePageSnapshot } from './page-snapshot.ts';
import { sessionQueryOptions } from './session.ts';
import { vmsPushed, vmsQueryOptions } from './vms.ts';

const vm: VmSummary = {
  name: 'vm1',
  address: 'unix:/tmp/vm1.qmp',
  state: 'connected',
  version: null,
  since: '2026-01-01T00:00:00.000Z',
  error: null,
  runState: { status: 'io-error', running: false, reason: null, since: '2026-01-01T00:00:00.000Z' },
};
const snapshot: PageSnapshot = {
  vms: [vm],
  session: { role: 'viewer', auth: true, policy: { readOnly: false, deny: [], viewerAllow: [] } },
};

const alert = (id: number, lastSeq: number): JournalAlert => ({
  id,
  vm: 'vm1',
  event: 'BLOCK_IO_ERROR',
  device: 'disk0',
  node: null,
  operation: 'read',
  action: 'stop',
  reason: 'Input/output error',
  nospace: false,
  count: 1,
  first: '2026-01-01T00:00:00.000Z',
  last: '2026-01-01T00:00:00.000Z',
  firstSeq: lastSeq,
  lastSeq,
  state: 'open',
});

function putInPage(text: string): void {
  const el = document.createElement('script');
  el.type = 'application/json';
  el.id = PAGE_SNAPSHOT_ID;
  el.textContent = text;
  document.body.appendChild(el);
}

afterEach(() => {
  document.getElementById(PAGE_SNAPSHOT_ID)?.remove();
  vmsPushed.fromPageAt = Number.NaN;
  vi.unstubAllGlobals();
});

describe('takePageSnapshot', () => {
  it('reads the data block once and removes it', () => {
    putInPage(JSON.stringify(snapshot));
    expect(takePageSnapshot(document)).toEqual(snapshot);
    expect(document.getElementById(PAGE_SNAPSHOT_ID)).toBeNull();
    expect(takePageSnapshot(document)).toBeNull();
  });

  it('is null for a page without one, or with something else in it', () => {
    expect(takePageSnapshot(document)).toBeNull();
    for (const text of ['not json', '[]', '{"vms":{},"session":{}}', '{"vms":[]}', 'null']) {
      putInPage(text);
      expect(takePageSnapshot(document)).toBeNull();
    }
  });
});

describe('seedFromPageSnapshot', () => {
  it('fills the VM list and the session; mounting reads neither again, a later change of the list does', async () => {
    const fetchMock = vi.fn(async () => new Response(JSON.stringify([vm]), { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    seedFromPageSnapshot(queryClient, snapshot);
    expect(queryClient.getQueryData(vmsQueryOptions.queryKey)).toEqual([vm]);
    expect(queryClient.getQueryData(sessionQueryOptions.queryKey)).toEqual(snapshot.session);
    const vms = new QueryObserver(queryClient, { ...vmsQueryOptions, refetchInterval: false });
    const session = new QueryObserver(queryClient, sessionQueryOptions);
    const unsubscribe = [vms.subscribe(() => {}), session.subscribe(() => {})];
    expect(vms.getCurrentResult().data?.[0]?.runState?.status).toBe('io-error');
    expect(vms.getCurrentResult().isFetching).toBe(false);
    expect(session.getCurrentResult().isFetching).toBe(false);
    expect(fetchMock).not.toHaveBeenCalled();
    // Any newer list (a poll, the stream) is an ordinary answer again: stale once the stream is not open.
    const query = queryClient.getQueryCache().find<VmSummary[]>({ queryKey: vmsQueryOptions.queryKey })!;
    const staleTime = vmsQueryOptions.staleTime as unknown as (q: typeof query) => number;
    expect(staleTime(query)).toBe(Number.POSITIVE_INFINITY);
    queryClient.setQueryData(vmsQueryOptions.queryKey, [vm], { updatedAt: query.state.dataUpdatedAt + 1 });
    expect(staleTime(query)).toBe(0);
    for (const u of unsubscribe) u();
    queryClient.clear();
  });

  it('fills the open alerts, newest first, so mounting does not read /api/alerts; absent, they are read', async () => {
    const fetchMock = vi.fn(async () => new Response(JSON.stringify({ alerts: [] }), { status: 200 }));
    vi.stubGlobal('fetch', fetchMock);
    const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
    seedFromPageSnapshot(queryClient, { ...snapshot, alerts: [alert(1, 10), alert(2, 30)] });
    const alerts = new QueryObserver(queryClient, { ...openAlertsQueryOptions, refetchInterval: false });
    const unsubscribe = alerts.subscribe(() => {});
    expect(alerts.getCurrentResult().data?.map((a) => a.id)).toEqual([2, 1]);
    expect(alerts.getCurrentResult().isFetching).toBe(false);
    expect(fetchMock).not.toHaveBeenCalled();
    unsubscribe();
    queryClient.clear();

    // A console without a journal puts no alerts in the page: the query reads them as before.
    seedFromPageSnapshot(queryClient, snapshot);
    expect(queryClient.getQueryData(alertKeys.open())).toBeUndefined();
    const unseeded = new QueryObserver(queryClient, { ...openAlertsQueryOptions, refetchInterval: false });
    const off = unseeded.subscribe(() => {});
    await vi.waitFor(() =>
      expect(fetchMock).toHaveBeenCalledWith(
        expect.stringMatching(/^\/api\/alerts\?state=open/),
        expect.anything(),
      ),
    );
    off();
    queryClient.clear();
  });
});
