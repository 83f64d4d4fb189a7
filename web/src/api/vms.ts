// The proxy's list of VMs: its connection to each and each one's run state (`GET /api/vms`), kept
// current by the console stream (api/console-stream.ts).
import { queryOptions } from '@tanstack/react-query';
import type { VmSummary } from '../../../protocol/api.ts';
import { fetchJson } from './http.ts';

export const VMS_POLL_MS = 5000;

export const vmsPushed = {
  /** True while the console stream is open: it pushes every change, so the list need not poll. */
  live: false,
  /**
   * `dataUpdatedAt` of the list the console put in the page (api/page-snapshot.ts), pushed as the
   * stream's are: the first components mounting do not read it again. The stream's snapshot or the
   * next poll replaces it.
   */
  fromPageAt: Number.NaN,
};

/** Key `['vms']`; polled every 5 s only while the console stream is not open. */
export const vmsQueryOptions = queryOptions({
  queryKey: ['vms'] as const,
  queryFn: ({ signal }) => fetchJson<VmSummary[]>('/api/vms', { signal }),
  refetchInterval: () => (vmsPushed.live ? false : VMS_POLL_MS),
  // While the stream is open its copy is the newest: a component mounting must not re-read the
  // list and paint an answer older than the last pushed change.
  staleTime: (query) =>
    vmsPushed.live || query.state.dataUpdatedAt === vmsPushed.fromPageAt ? Number.POSITIVE_INFINITY : 0,
});
