// The journal's open alerts (`GET /api/alerts?state=open`) in react-query, kept current by the event
// console stream: its snapshot replaces them, each `alert` message updates one, and an acknowledgement
// made in any browser arrives that way too (see api/console-stream.ts).
//
//   ['journal', 'alerts', 'open']                JournalAlert[], newest change first
//   ['journal', 'alerts', 'acknowledged', VM]   (the alerts page) re-read when the stream acknowledges one
//   ['journal', 'alerts', 'one', ID]             (a deep link) kept current by the stream
import { type QueryClient, queryOptions, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { AlertAckResult, AlertList, JournalAlert } from '../../../protocol/journal.ts';
import { fetchJson } from './http.ts';

export const OPEN_ALERTS_LIMIT = 1000;

export const alertKeys = {
  all: () => ['journal', 'alerts'] as const,
  open: () => ['journal', 'alerts', 'open'] as const,
  /** Every VM's (vm null) or one VM's acknowledged alerts. */
  acknowledged: (vm: string | null = null) => ['journal', 'alerts', 'acknowledged', vm] as const,
  acknowledgedAll: () => ['journal', 'alerts', 'acknowledged'] as const,
  one: (id: number) => ['journal', 'alerts', 'one', id] as const,
};

export const openAlertsQueryOptions = queryOptions({
  queryKey: alertKeys.open(),
  queryFn: async ({ signal }) =>
    (await fetchJson<AlertList>(`/api/alerts?state=open&limit=${OPEN_ALERTS_LIMIT}`, { signal })).alerts,
  // The stream keeps it current; this only covers a stream that cannot connect.
  staleTime: 15_000,
  refetchInterval: 60_000,
});

const byRecent = (a: JournalAlert, b: JournalAlert) => b.lastSeq - a.lastSeq || b.id - a.id;

/**
 * The stream is newer than any `/api/alerts` read still in flight (a periodic refetch started before an
 * acknowledgement could otherwise answer after it and bring the alert back): drop such a read.
 */
function dropReadsInFlight(queryClient: QueryClient): void {
  void queryClient.cancelQueries({ queryKey: alertKeys.open() });
}

/** An open alert's message with fewer events than the alert as known is an older one. */
const isOlder = (alert: JournalAlert, known: JournalAlert) =>
  alert.state === 'open' && (known.state !== 'open' || alert.lastSeq < known.lastSeq);

/** The stream's snapshot of open alerts replaces what the cache holds. */
export function openAlertsReplaced(queryClient: QueryClient, alerts: JournalAlert[]): void {
  dropReadsInFlight(queryClient);
  queryClient.setQueryData(alertKeys.open(), alerts.filter((a) => a.state === 'open').sort(byRecent));
}

/**
 * One alert's new state (new, coalesced repeat, acknowledged) goes into the cache. A message older than
 * what the cache holds (fewer events, or open after acknowledged) is ignored. Returns true if the alert
 * was not in the cache before and is open: a new alert.
 */
export function alertChanged(queryClient: QueryClient, alert: JournalAlert): boolean {
  dropReadsInFlight(queryClient);
  queryClient.setQueryData<JournalAlert>(alertKeys.one(alert.id), (old) =>
    !old || isOlder(alert, old) ? old : alert,
  );
  if (alert.state !== 'open') void queryClient.invalidateQueries({ queryKey: alertKeys.acknowledgedAll() });
  let isNew = false;
  queryClient.setQueryData<JournalAlert[]>(alertKeys.open(), (old) => {
    const list = old ?? [];
    const i = list.findIndex((a) => a.id === alert.id);
    if (i === -1) {
      if (alert.state !== 'open') return old;
      isNew = true;
      return [alert, ...list].sort(byRecent);
    }
    if (isOlder(alert, list[i]!)) return old;
    if (alert.state !== 'open') return list.filter((a) => a.id !== alert.id);
    const next = list.slice();
    next[i] = alert;
    return next.sort(byRecent);
  });
  return isNew;
}

const idsOf = (alerts: JournalAlert[]) => alerts.map((a) => a.id);

/**
 * The open alerts' ids, newest change first. A storm changes its alert's count with every message: a
 * component that shows only which alerts are open is not rendered for each new count.
 */
export function useOpenAlertIds(): number[] {
  return useQuery({ ...openAlertsQueryOptions, select: idsOf }).data ?? NONE;
}
const NONE: number[] = [];

/** Open alerts, newest change first; one VM's when `vm` is given. Empty while loading or unavailable. */
export function useOpenAlerts(vm?: string): JournalAlert[] {
  const { data } = useQuery(openAlertsQueryOptions);
  return useMemo(() => {
    const list = data ?? [];
    return vm === undefined ? list : list.filter((a) => a.vm === vm);
  }, [data, vm]);
}

export class AckError extends Error {
  override readonly name = 'AckError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export async function acknowledgeAlert(id: number): Promise<JournalAlert> {
  const res = await fetch(`/api/alerts/${id}/ack`, {
    method: 'POST',
    headers: { accept: 'application/json' },
  });
  if (!res.ok) {
    let text = '';
    try {
      text = ((await res.json()) as { error?: string }).error ?? '';
    } catch {
      // no JSON body
    }
    throw new AckError(res.status, text || `${res.status} ${res.statusText}`);
  }
  return ((await res.json()) as AlertAckResult).alert;
}

/** `POST /api/alerts/ID/ack`; on success the alert leaves the open list here at once (and elsewhere via the stream). */
export function useAcknowledgeAlert() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: acknowledgeAlert,
    onSuccess: (alert) => {
      alertChanged(queryClient, alert);
    },
  });
}
