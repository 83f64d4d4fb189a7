// The alerts page's server state. Open alerts are the app's one open-alerts query (the console stream
// keeps it live); acknowledged ones are read from the journal, and re-read when the stream says one was
// acknowledged (api/alerts.ts); a deep-linked alert is read on its own when no list holds it.
import { queryOptions } from '@tanstack/react-query';
import type { AlertAckResult, AlertList } from '../../../protocol/journal.ts';
import { alertKeys, openAlertsQueryOptions } from '../api/alerts.ts';
import { fetchJson } from '../api/http.ts';

/** Acknowledged alerts shown at most: the newest first. */
export const ACKNOWLEDGED_LIMIT = 200;

export const alertsQueries = {
  /** `['journal', 'alerts', 'open']`: every open alert, newest change first. */
  open: () => openAlertsQueryOptions,

  /** `['journal', 'alerts', 'acknowledged', VM]`: `GET /api/alerts?state=acknowledged[&vm=VM]`. */
  acknowledged: (vm: string | null) =>
    queryOptions({
      queryKey: alertKeys.acknowledged(vm),
      queryFn: async ({ signal }) => {
        const sp = new URLSearchParams({ state: 'acknowledged', limit: String(ACKNOWLEDGED_LIMIT) });
        if (vm) sp.set('vm', vm);
        return (await fetchJson<AlertList>(`/api/alerts?${sp}`, { signal })).alerts;
      },
    }),

  /** `['journal', 'alerts', 'one', ID]`: `GET /api/alerts/ID`, open or acknowledged, however old. */
  one: (id: number) =>
    queryOptions({
      queryKey: alertKeys.one(id),
      queryFn: async ({ signal }) => (await fetchJson<AlertAckResult>(`/api/alerts/${id}`, { signal })).alert,
    }),
};
