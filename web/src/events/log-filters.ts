// The event log's filters, kept in the URL so a view can be linked: `?event=A&event=B&vm=X&q=text&since=ISO&until=ISO`.
//
// Which filters the journal applies and which the browser applies:
// - VM and time range go to the journal (history pages and export); changing them reloads the log.
// - Event names and free text are applied in the browser over the loaded rows, so every name keeps its
//   count and a click filters at once. Export sends the names to the journal; free text it cannot apply.

export interface LogFilters {
  /** Event names to show; empty: all. Upper case, sorted, no duplicates. */
  events: string[];
  /** Only on the all-VMs log (`/events`); the VM page's log is fixed to its VM. */
  vm: string | null;
  text: string;
  /** ISO times: received since (inclusive) and until (exclusive). */
  since: string | null;
  until: string | null;
}

export const NO_FILTERS: LogFilters = { events: [], vm: null, text: '', since: null, until: null };

const EVENT_NAME = /^[A-Za-z0-9_-]{1,64}$/;

function time(value: string | null): string | null {
  if (!value) return null;
  return Number.isNaN(Date.parse(value)) ? null : value;
}

export function parseFilters(search: string | URLSearchParams): LogFilters {
  const sp = typeof search === 'string' ? new URLSearchParams(search) : search;
  const events = [
    ...new Set(
      sp
        .getAll('event')
        .flatMap((v) => v.split(','))
        .map((v) => v.trim().toUpperCase())
        .filter((v) => EVENT_NAME.test(v)),
    ),
  ].sort();
  return {
    events,
    vm: sp.get('vm') || null,
    text: sp.get('q') ?? '',
    since: time(sp.get('since')),
    until: time(sp.get('until')),
  };
}

/** The query string for filters ('' when none), in a stable order. */
export function filtersToSearch(f: LogFilters): string {
  const sp = new URLSearchParams();
  for (const e of f.events) sp.append('event', e);
  if (f.vm) sp.set('vm', f.vm);
  if (f.text) sp.set('q', f.text);
  if (f.since) sp.set('since', f.since);
  if (f.until) sp.set('until', f.until);
  return sp.toString();
}

export function hasFilters(f: LogFilters): boolean {
  return f.events.length > 0 || f.vm !== null || f.text !== '' || f.since !== null || f.until !== null;
}

export function toggleEvent(f: LogFilters, name: string): LogFilters {
  const events = f.events.includes(name) ? f.events.filter((e) => e !== name) : [...f.events, name].sort();
  return { ...f, events };
}

/** The journal path for a selection: one VM's events, or every VM's. */
export function eventsPath(vm: string | null): string {
  return vm ? `/api/vms/${encodeURIComponent(vm)}/events` : '/api/events';
}

/** The journal's NDJSON export of the selection (oldest first). Free text is not part of it. */
export function exportUrl(f: LogFilters, vm: string | null): string {
  const sp = new URLSearchParams({ format: 'ndjson', order: 'asc' });
  for (const e of f.events) sp.append('event', e);
  if (f.since) sp.set('since', f.since);
  if (f.until) sp.set('until', f.until);
  return `${eventsPath(vm)}?${sp}`;
}

export function exportFileName(vm: string | null, now = new Date()): string {
  const stamp = now.toISOString().replace(/[:]/g, '').replace(/\..*$/, '');
  return `qmp-events-${vm ?? 'all'}-${stamp}.ndjson`;
}
