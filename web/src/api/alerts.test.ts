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
