// The event log: `/events` (every VM) and `/vms/NAME/events` (one VM). History first, then live, in a
// virtualized list with the newest at the bottom; filters in the URL; export of the selection.
import { useQuery } from '@tanstack/react-query';
import { startTransition, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useLocation, useSearch } from 'wouter';
import type { VmSummary } from '../../../protocol/api.ts';
import type { JournalAlert } from '../../../protocol/journal.ts';
import { openAlertsQueryOptions } from '../api/alerts.ts';
import { vmsQueryOptions } from '../api/vms.ts';
import { useZoneName } from '../ui/preferences.ts';
import { usePageTitle } from '../ui/use-page-title.ts';
import { AlertBanner } from './alert-banner.tsx';
import { FilterBar } from './filter-bar.tsx';
import { LogView } from './log-buffer.ts';
import {
  exportFileName,
  exportUrl,
  filtersToSearch,
  hasFilters,
  type LogFilters,
  parseFilters,
} from './log-filters.ts';
import { LogList } from './log-list.tsx';
import { INITIAL_LOG_STATE, LogStream, type LogStreamState } from './log-stream.ts';
import { logOpened } from './log-ui-store.ts';
import { NotificationButton } from './notifications.tsx';
import './event-log.css';

/**
 * One stream per selection (VM and time range), closed when the selection changes.
 *
 * The stream's changes re-render the page as a transition: during a storm React renders the log in
 * slices of a few milliseconds between frames, input and paint, instead of one block per batch. The
 * rows live in the stream's buffer (append-only between renders), so a render that React starts over
 * reads them again, never a torn copy.
 */
function useLogStream(vm: string | null, since: string | null, until: string | null) {
  const [stream, setStream] = useState<LogStream | null>(null);
  const [state, setState] = useState<LogStreamState>(INITIAL_LOG_STATE);
  useEffect(() => {
    const s = new LogStream({ vm, since, until });
    logOpened();
    setStream(s);
    setState(s.getState());
    const off = s.subscribe(() => startTransition(() => setState(s.getState())));
    s.start();
    return () => {
      off();
      s.close();
    };
  }, [vm, since, until]);
  return { stream, state };
}

/** Rows a filtered view should show before it stops loading older history by itself. */
const FILL_ROWS = 60;
/** Older pages loaded by themselves per selection, at most (then the person scrolls or asks). */
const MAX_AUTO_PAGES = 10;

/**
 * A filter can leave too few rows to scroll: load older history by itself until the view has a
 * screenful, history is complete, or it has loaded MAX_AUTO_PAGES for this view.
 */
function useFillView(stream: LogStream | null, view: LogView | null, state: LogStreamState) {
  const pages = useRef<{ view: LogView | null; n: number }>({ view: null, n: 0 });
  const rows = view?.rows.length ?? 0;
  useEffect(() => {
    if (!stream || !view || state.connection === 'connecting' || state.historyComplete || state.loadingOlder)
      return;
    if (state.historyError || rows >= FILL_ROWS || stream.buffer.size === 0) return;
    if (pages.current.view !== view) pages.current = { view, n: 0 };
    if (pages.current.n >= MAX_AUTO_PAGES) return;
    pages.current.n++;
    void stream.loadOlder();
  }, [stream, view, rows, state.connection, state.historyComplete, state.loadingOlder, state.historyError]);
}

/**
 * Whether the selection has no open alert. A storm changes its alert's count every batch: only the
 * answer, not each new count, re-renders the page.
 */
function useNoOpenAlerts(vm: string | null): boolean {
  const select = useCallback(
    (alerts: JournalAlert[]) => !alerts.some((a) => vm === null || a.vm === vm),
    [vm],
  );
  return useQuery({ ...openAlertsQueryOptions, select }).data ?? true;
}

/** The VM filter's choices: only the names, so a VM's run state changing does not render the page. */
const vmNamesOf = (vms: VmSummary[]) => vms.map((v) => v.name);

const CONNECTION_TEXT: Record<LogStreamState['connection'], string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  offline: 'Not live',
  history: 'History (the range has ended)',
};

export default function EventLogPage({ vm }: { vm?: string }) {
  const search = useSearch();
  const [location, navigate] = useLocation();
  const urlFilters = useMemo(() => parseFilters(search), [search]);
  // The VM page's log belongs to its VM; a `vm=` in its URL means nothing there.
  const filters: LogFilters = vm === undefined ? urlFilters : { ...urlFilters, vm: null };
  const selectedVm = vm ?? filters.vm;
  const { stream, state } = useLogStream(selectedVm, filters.since, filters.until);
  const vmNames = useQuery({ ...vmsQueryOptions, enabled: vm === undefined, select: vmNamesOf }).data;
  // The alert banner has the notifications button while it shows.
  const noAlerts = useNoOpenAlerts(selectedVm);

  const zoneName = useZoneName();
  usePageTitle(vm ? `${vm} events` : 'Events');

  const setFilters = (next: LogFilters) => {
    const q = filtersToSearch(vm === undefined ? next : { ...next, vm: null });
    navigate(q ? `${location}?${q}` : location, { replace: true });
  };

  const eventsKey = filters.events.join(',');
  const view = useMemo(
    () =>
      stream
        ? new LogView(stream.buffer, {
            events: new Set(eventsKey ? eventsKey.split(',') : []),
            text: filters.text.trim().toLowerCase(),
            since: filters.since ? Date.parse(filters.since) : null,
            until: filters.until ? Date.parse(filters.until) : null,
          })
        : null,
    [stream, eventsKey, filters.text, filters.since, filters.until],
  );
  // Catch up with the buffer (idempotent: safe to run in render).
  view?.sync();
  void state.version;

  useFillView(stream, view, state);

  const loaded = stream?.buffer.size ?? 0;
  const shown = view?.rows.length ?? 0;
  // Names seen in the loaded rows, and any the URL asks for (even with no row yet).
  const names = [...new Set([...(view?.counts.keys() ?? []), ...filters.events])].sort();

  const headingId = 'event-log-heading';
  return (
    <section className="page event-log-page" aria-labelledby={headingId}>
      <header className="event-log-header">
        <h1 id={headingId}>{vm ? `${vm} events` : 'Events'}</h1>
        <p className="muted">
          {vm ? `Every QMP event of ${vm}` : 'Every QMP event of every VM'} from the console's journal, newest
          at the bottom.
        </p>
      </header>
      {vm === undefined ? <AlertBanner /> : null}
      <FilterBar
        filters={filters}
        names={names}
        counts={view?.counts ?? new Map()}
        vms={vm === undefined ? (vmNames ?? []) : null}
        onChange={setFilters}
        onClear={() => navigate(location, { replace: true })}
        active={hasFilters(filters)}
      />
      <div className="log-toolbar">
        <p className="log-count" aria-live="off">
          <strong>{shown.toLocaleString('en-US')}</strong> shown of{' '}
          <strong>{loaded.toLocaleString('en-US')}</strong> loaded events
          {state.historyComplete ? ', back to the oldest in the journal' : ''}
        </p>
        <span
          className="log-connection"
          data-state={state.connection}
          title={state.connectionDetail ?? undefined}
        >
          {CONNECTION_TEXT[state.connection]}
        </span>
        <span className="muted log-zone">Times in {zoneName}</span>
        {!state.historyComplete && state.connection !== 'connecting' ? (
          <button type="button" disabled={state.loadingOlder} onClick={() => void stream?.loadOlder()}>
            {state.loadingOlder ? 'Loading older events…' : 'Load older events'}
          </button>
        ) : null}
        <a className="button" href={exportUrl(filters, selectedVm)} download={exportFileName(selectedVm)}>
          Export NDJSON
        </a>
        {filters.text ? <span className="muted">(export leaves out the text filter)</span> : null}
        {noAlerts ? <NotificationButton /> : null}
      </div>
      {state.historyError ? (
        <div className="notice notice-warn">
          <p>Could not load older events: {state.historyError}</p>
          <button type="button" onClick={() => void stream?.loadOlder()}>
            Retry
          </button>
        </div>
      ) : null}
      {state.connection === 'reconnecting' || state.connection === 'offline' ? (
        <p className="notice notice-warn">
          {state.connectionDetail ?? 'The live stream is not connected.'} Events missed meanwhile are loaded
          when it reconnects.
        </p>
      ) : null}
      {stream && view ? (
        <LogList
          stream={stream}
          view={view}
          historyComplete={state.historyComplete}
          showVm={selectedVm === null}
          label={vm ? `Event log of ${vm}` : selectedVm ? `Event log of ${selectedVm}` : 'Event log'}
          empty={
            state.connection === 'connecting' || (state.loadingOlder && loaded === 0)
              ? 'Loading events…'
              : loaded === 0
                ? 'No events yet.'
                : 'No loaded event matches the filters.'
          }
        />
      ) : null}
    </section>
  );
}
