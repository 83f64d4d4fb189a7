// The VM's I/O history as the console sampled it (`GET /api/vms/NAME/stats`): every tab sees the same
// minutes from its first paint, refreshed at the console's sampling interval while the tab is visible.
import { queryOptions } from '@tanstack/react-query';
import { statsPath, type VmStatsHistory } from '../../../protocol/guest.ts';
import { fetchJson } from '../api/http.ts';

export function statsQueryOptions(vm: string) {
  return queryOptions({
    queryKey: ['stats', vm] as const,
    queryFn: ({ signal }) => fetchJson<VmStatsHistory>(statsPath(vm), { signal }),
    refetchInterval: (q) => q.state.data?.intervalMs ?? 2000,
    refetchIntervalInBackground: false,
    retry: false,
  });
}
