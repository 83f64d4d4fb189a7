// `/alerts`: open alerts (live from the console stream) and acknowledged ones (who, when), filtered by
// state and VM in the URL (`?state=acknowledged&vm=NAME`). `/alerts/ID` is the same page scrolled to one
// alert, which gets the focus; an alert no list shows (filtered out, or older than the newest shown) is
// read on its own and shown above the lists.
import { type UseQueryResult, useQuery } from '@tanstack/react-query';
import { type ChangeEvent, type ComponentProps, type ReactNode, useId } from 'react';
import { useLocation, useSearch } from 'wouter';
import type { JournalAlert } from '../../../protocol/journal.ts';
import { HttpError } from '../api/http.ts';
import { sessionQueryOptions } from '../api/session.ts';
import { vmsQueryOptions } from '../api/vms.ts';
import { type AlertFilters, alertPath, alertsPath, parseAlertFilters } from '../qemu/routes.ts';
import { QueryError } from '../ui/query-error.tsx';
import { usePageTitle } from '../ui/use-page-title.ts';
import { AlertsTable } from './alerts-table.tsx';
import { ACKNOWLEDGED_LIMIT, alertsQueries } from './queries.ts';
import './alerts.css';

const ACK_REFUSED = 'Acknowledging alerts needs the operator role.';

export default function AlertsPage({ focusId }: { focusId: number | null }) {
  usePageTitle(focusId !== null ? `Alert ${focusId}` : 'Alerts');
  const ids = useId();
  const filters = parseAlertFilters(useSearch());
  const [, navigate] = useLocation();
  const showOpen = filters.state !== 'acknowledged';
  const showAcked = filters.state !== 'open';

  const open = useQuery(alertsQueries.open());
  const acked = useQuery({ ...alertsQueries.acknowledged(filters.vm), enabled: showAcked });
  const openShown = (open.data ?? []).filter((a) => filters.vm === null || a.vm === filters.vm);
  const ackedShown = acked.data ?? [];
  const listed = (list: readonly JournalAlert[]) => list.some((a) => a.id === focusId);
  const inLists = (showOpen && listed(openShown)) || (showAcked && listed(ackedShown));
  const listsSettled = (!showOpen || !open.isPending) && (!showAcked || !acked.isFetching);
  const one = useQuery({
    ...alertsQueries.one(focusId ?? 0),
    enabled: focusId !== null && listsSettled && !inLists,
  });

  // The proxy refuses a viewer's acknowledgement: say so rather than fail after a click.
  const session = useQuery(sessionQueryOptions).data;
  const ackRefused = session?.role === 'viewer' ? ACK_REFUSED : null;
  const follow = (alert: JournalAlert) => navigate(alertPath(alert.id, filters), { replace: true });
  const noJournal = open.error instanceof HttpError && open.error.status === 404;
  const table = { focusId, ackRefused, onAcknowledged: follow };

  return (
    <section className="page alerts-page" aria-labelledby={`${ids}-h`}>
      <h1 id={`${ids}-h`}>Alerts</h1>
      <Filters filters={filters} onChange={(f) => navigate(alertsPath(f), { replace: true })} />
      {ackRefused ? <p className="muted">{ackRefused}</p> : null}
      {noJournal ? <p>This console keeps no event journal, so it raises no alerts.</p> : null}

      {focusId !== null && !inLists && listsSettled ? (
        <section className="panel" aria-labelledby={`${ids}-one`}>
          <h2 id={`${ids}-one`}>Alert {focusId}</h2>
          {one.isPending ? <p className="muted">Loading alert {focusId}…</p> : null}
          {one.error instanceof HttpError && one.error.status === 404 ? (
            <p>
              There is no alert {focusId}: the journal may have dropped it (retention) or the link is wrong.
            </p>
          ) : one.isError ? (
            <QueryError
              what={`Could not load alert ${focusId}`}
              error={one.error}
              onRetry={() => void one.refetch()}
            />
          ) : null}
          {one.data ? <AlertsTable alerts={[one.data]} labelledBy={`${ids}-one`} {...table} /> : null}
        </section>
      ) : null}

      {showOpen && !noJournal ? (
        <AlertListSection
          title={`Open alerts${filters.vm ? ` on ${filters.vm}` : ''}`}
          kind="open"
          query={open}
          alerts={openShown}
          table={table}
        />
      ) : null}

      {showAcked && !noJournal ? (
        <AlertListSection
          title={`Acknowledged alerts${filters.vm ? ` on ${filters.vm}` : ''}`}
          kind="acknowledged"
          query={acked}
          alerts={ackedShown}
          table={table}
        >
          {ackedShown.length >= ACKNOWLEDGED_LIMIT ? (
            <p className="muted small">The newest {ACKNOWLEDGED_LIMIT} acknowledged alerts are shown.</p>
          ) : null}
        </AlertListSection>
      ) : null}
    </section>
  );
}

/** One list of alerts (open or acknowledged): loading, its error, "none", or the table. */
function AlertListSection({
  title,
  kind,
  query,
  alerts,
  table,
  children,
}: {
  title: string;
  kind: 'open' | 'acknowledged';
  query: UseQueryResult<unknown>;
  alerts: readonly JournalAlert[];
  table: Omit<ComponentProps<typeof AlertsTable>, 'alerts' | 'labelledBy'>;
  children?: ReactNode;
}) {
  const id = useId();
  return (
    <section className="panel" aria-labelledby={id}>
      <h2 id={id}>{title}</h2>
      {query.isPending ? <p className="muted">Loading {kind} alerts…</p> : null}
      {query.isError ? (
        <QueryError
          what={`Could not load ${kind} alerts`}
          error={query.error}
          onRetry={() => void query.refetch()}
        />
      ) : null}
      {query.isSuccess && alerts.length === 0 ? <p className="muted">No {kind} alerts.</p> : null}
      {alerts.length > 0 ? <AlertsTable alerts={alerts} labelledBy={id} {...table} /> : null}
      {children}
    </section>
  );
}

/** State and VM, as selects: each change is a new URL (so a view can be linked). */
function Filters({ filters, onChange }: { filters: AlertFilters; onChange(f: AlertFilters): void }) {
  const ids = useId();
  const vms = useQuery(vmsQueryOptions).data ?? [];
  const names = [...new Set([...vms.map((v) => v.name), ...(filters.vm ? [filters.vm] : [])])].sort();
  const state = (e: ChangeEvent<HTMLSelectElement>) =>
    onChange({ ...filters, state: (e.target.value || null) as AlertFilters['state'] });
  const vm = (e: ChangeEvent<HTMLSelectElement>) => onChange({ ...filters, vm: e.target.value || null });
  return (
    <search className="alerts-filters" aria-label="Filter alerts">
      <label htmlFor={`${ids}-state`}>State</label>
      <select id={`${ids}-state`} value={filters.state ?? ''} onChange={state}>
        <option value="">Open and acknowledged</option>
        <option value="open">Open</option>
        <option value="acknowledged">Acknowledged</option>
      </select>
      <label htmlFor={`${ids}-vm`}>VM</label>
      <select id={`${ids}-vm`} value={filters.vm ?? ''} onChange={vm}>
        <option value="">All VMs</option>
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </search>
  );
}
