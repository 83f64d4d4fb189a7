// The audit trail (`GET /api/audit`, operators only), page by page, newest first.
//
//   ['audit', VM]   pages of AuditRecord; VM null: every VM's
import { infiniteQueryOptions } from '@tanstack/react-query';
import type { AuditList } from '../../../protocol/journal.ts';
import { fetchJson } from '../api/http.ts';

export const AUDIT_PAGE_SIZE = 100;

export const auditKeys = {
  all: () => ['audit'] as const,
  list: (vm: string | null) => ['audit', vm] as const,
};

export const auditQueries = {
  /** Pages of the trail; the next page starts `before` the last record shown. */
  list: (vm: string | null) =>
    infiniteQueryOptions({
      queryKey: auditKeys.list(vm),
      queryFn: ({ pageParam, signal }) => {
        const sp = new URLSearchParams({ limit: String(AUDIT_PAGE_SIZE) });
        if (pageParam !== null) sp.set('before', String(pageParam));
        if (vm) sp.set('vm', vm);
        return fetchJson<AuditList>(`/api/audit?${sp}`, { signal });
      },
      initialPageParam: null as number | null,
      getNextPageParam: (last) => last.next,
    }),
};
