// The proxy's list of VMs: its connection to each and each one's run state (`GET /api/vms`), kept
// current by the console stream (api/console-stream.ts).
import { queryOptions } from '@tanstack/react-query';
import type { VmSummary } from '../../../protocol/api.ts';
import { fetchJson } from './http.ts';

export const VMS_POLL_MS = 5000;

/** True while the console stream is open: it pushes every change, so the list need not poll. */
export const vmsPushed = { live: false };

/** Key `['vms']`; polled every 5 s only while the console stream is not open. */
export const vmsQueryOptions = queryOptions({
  queryKey: ['vms'] as const,
  queryFn: ({ signal }) => fetchJson<VmSummary[]>('/api/vms', { signal }),
  refetchInterval: () => (vmsPushed.live ? false : VMS_POLL_MS),
  // While the stream is open its copy is the newest: a component mounting must not re-read the
  // list and paint an answer older than the last pushed change.
  staleTime: () => (vmsPushed.live ? Number.POSITIVE_INFINITY : 0),
});
