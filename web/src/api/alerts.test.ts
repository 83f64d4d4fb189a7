import { QueryClient } from '@tanstack/react-query';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JournalAlert } from '../../../protocol/journal.ts';
import { alertChanged, alertKeys, openAlertsQueryOptions } from './alerts.ts';

const alert = (over: Partial<JournalAlert> = {}): JournalAlert => ({
  id: 1,
  vm: 'vm1',
  event: 'BLOCK_IO_ERROR',
  device: 'bad0',
  node: '#block1',
  operation: 'read',
  action: 'stop',
  reason: 'Input/output error',
  nospace: false,
  count: 1,
  first: '2026-11-26T10:00:00.000Z',
  last: '2026-11-26T10:00:00.000Z',
  firstSeq: 5,
  lastSeq: 5,
  state: 'open',
  ...over,
});

afterEach(() => vi.unstubAllGlobals());

describe('alertChanged', () => {
  it('is not undone by an /api/alerts read that started before the acknowledgement', async () => {
    const queryClient = new QueryClient();
    queryClient.setQueryData(alertKeys.open(), [alert()]);
    let answer: (r: Response) => void = () => {};
    vi.stubGlobal(
      'fetch',
      vi.fn(() => new Promise<Response>((r) => (answer = r))),
    );
    const read = queryClient.fetchQuery({ ...openAlertsQueryOptions, staleTime: 0 }).catch(() => undefined);
    await Promise.resolve();
    // The acknowledgement arrives on the stream while the read is still out.
    alertChanged(queryClient, alert({ state: 'acknowledged' }));
    answer(new Response(JSON.stringify({ alerts: [alert()] }), { status: 200 }));
    await read;
    await new Promise((r) => setTimeout(r, 0));
    expect(queryClient.getQueryData(alertKeys.open())).toEqual([]);
  });
});

describe('alertChanged, for the alerts page', () => {
  it('keeps a deep-linked alert current, never older, and has the acknowledged lists re-read', () => {
    const queryClient = new QueryClient();
    const acked = ['journal', 'alerts', 'acknowledged', 'vm1'] as const;
    queryClient.setQueryData(alertKeys.one(1), alert());
    queryClient.setQueryData(acked, []);
    alertChanged(queryClient, alert({ count: 3, lastSeq: 9 }));
    expect(queryClient.getQueryData<JournalAlert>(alertKeys.one(1))?.count).toBe(3);
    // An open message older than what is known changes nothing; nor does it mark the lists stale.
    alertChanged(queryClient, alert({ count: 2, lastSeq: 7 }));
    expect(queryClient.getQueryData<JournalAlert>(alertKeys.one(1))?.count).toBe(3);
    expect(queryClient.getQueryState(acked)?.isInvalidated).toBe(false);

    alertChanged(queryClient, alert({ count: 3, lastSeq: 9, state: 'acknowledged', acknowledgedBy: 'op' }));
    expect(queryClient.getQueryData<JournalAlert>(alertKeys.one(1))).toMatchObject({
      state: 'acknowledged',
      acknowledgedBy: 'op',
    });
    expect(queryClient.getQueryState(acked)?.isInvalidated).toBe(true);
    // An open message after the acknowledgement is an older one.
    alertChanged(queryClient, alert({ count: 4, lastSeq: 12 }));
    expect(queryClient.getQueryData<JournalAlert>(alertKeys.one(1))?.state).toBe('acknowledged');
    // An alert nobody asked for alone is not put in a cache of its own.
    alertChanged(queryClient, alert({ id: 2 }));
    expect(queryClient.getQueryData(alertKeys.one(2))).toBeUndefined();
  });
});
