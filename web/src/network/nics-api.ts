// The VM's NICs as the console reads them (`GET /api/vms/NAME/nics`) and `set_link` through the console
// (`POST .../nics/ID/link`: the command policy and the audit trail apply, and every tab sees the state).
import { queryOptions } from '@tanstack/react-query';
import { type NicList, nicLinkPath, nicsPath } from '../../../protocol/guest.ts';
import { fetchJson } from '../api/http.ts';

export function nicsQueryOptions(vm: string) {
  return queryOptions({
    queryKey: ['nics', vm] as const,
    queryFn: ({ signal }) => fetchJson<NicList>(nicsPath(vm), { signal }),
    // rx filters change with the guest (NIC_RX_FILTER_CHANGED); no faster than every 10 s.
    refetchInterval: 10_000,
    refetchIntervalInBackground: false,
    retry: false,
  });
}

export async function setLink(vm: string, nic: string, up: boolean): Promise<void> {
  const res = await fetch(nicLinkPath(vm, nic), {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/json' },
    body: JSON.stringify({ up }),
  });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: string };
    throw new Error(body.error ?? `${res.status} ${res.statusText}`);
  }
}
