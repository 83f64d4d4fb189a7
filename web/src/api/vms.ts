// The proxy's list of VMs and its upstream connection to each (`GET /api/vms`).
import { queryOptions } from '@tanstack/react-query';
import type { VmSummary } from '../../../protocol/api.ts';
import { fetchJson } from './http.ts';

export const VMS_POLL_MS = 5000;

/** Key `['vms']`; polled every 5 s (the only poll: QMP state is refreshed by events). */
export const vmsQueryOptions = queryOptions({
  queryKey: ['vms'] as const,
  queryFn: ({ signal }) => fetchJson<VmSummary[]>('/api/vms', { signal }),
  refetchInterval: VMS_POLL_MS,
});
