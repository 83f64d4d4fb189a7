// The log's filters: event names (with counts), VM, free text, time range; one click clears them all.
// The time range sits in a disclosure: Chromium gives each datetime field a Tab stop per part (~14
// for two), which would stand between the keyboard and the events.
import { useEffect, useId, useRef, useState } from 'react';
import { severityOf } from '../qemu/events.ts';
import { useTimeZone, useZoneName } from '../ui/preferences.ts';
import { inputValueToIso, isoToInputValue } from '../ui/time-format.ts';
import { type LogFilters, toggleEvent } from './log-filters.ts';

const TYPING_DELAY_MS = 300;

export interface FilterBarProps {
  filters: LogFilters;
  /** Event names to offer, sorted. */
  names: string[];
  counts: ReadonlyMap<string, number>;
  /** VM names for the VM filter; null where the log belongs to one VM. */
  vms: string[] | null;
  active: boolean;
  onChange(next: LogFilters): void;
  onClear(): void;
}

/** A text-like input whose value reaches the URL after the person pauses typing. */
function useDeferredInput(value: string, commit: (v: string) => void) {
  const [draft, setDraft] = useState(value);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const commitRef = useRef(commit);
  commitRef.current = commit;
  useEffect(() => {
    setDraft(value);
  }, [value]);
  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
    },
    [],
  );
  const change = (v: string) => {
    setDraft(v);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => commitRef.current(v), TYPING_DELAY_MS);
  };
  return [draft, change] as const;
}

export function FilterBar({ filters, names, counts, vms, active, onChange, onClear }: FilterBarProps) {
  const ids = useId();
  const latest = useRef(filters);
  latest.current = filters;
  const [text, setText] = useDeferredInput(filters.text, (v) => onChange({ ...latest.current, text: v }));
  // The fields are read in the zone times are shown in (local or UTC).
  const zone = useTimeZone();
  const zoneName = useZoneName();
  const [since, setSince] = useDeferredInput(isoToInputValue(filters.since, zone), (v) =>
    onChange({ ...latest.current, since: inputValueToIso(v, zone) }),
  );
  const [until, setUntil] = useDeferredInput(isoToInputValue(filters.until, zone), (v) =>
    onChange({ ...latest.current, until: inputValueToIso(v, zone) }),
  );
  const ranged = filters.since !== null || filters.until !== null;

  return (
    <search className="filter-bar" aria-label="Filter events">
      <fieldset className="filter-names">
        <legend>Event</legend>
        {names.length === 0 ? <span className="muted">No events loaded yet.</span> : null}
        {names.map((name) => (
          <label
            key={name}
            className="filter-name"
            data-severity={severityOf(name, name.startsWith('CONSOLE_'))}
          >
            <input
              type="checkbox"
              checked={filters.events.includes(name)}
              onChange={() => onChange(toggleEvent(latest.current, name))}
            />
            <span>{name}</span>
            <span className="filter-count">{(counts.get(name) ?? 0).toLocaleString('en-US')}</span>
          </label>
        ))}
      </fieldset>
      <div className="filter-fields">
        {vms !== null ? (
          <label>
            VM
            <select
              value={filters.vm ?? ''}
              onChange={(e) => onChange({ ...latest.current, vm: e.target.value || null })}
            >
              <option value="">All VMs</option>
              {filters.vm && !vms.includes(filters.vm) ? (
                <option value={filters.vm}>{filters.vm}</option>
              ) : null}
              {vms.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </select>
          </label>
        ) : null}
        <label>
          Text
          <input
            type="search"
            value={text}
            placeholder="device, reason, …"
            onChange={(e) => setText(e.target.value)}
            aria-describedby={`${ids}-text`}
          />
        </label>
        <span id={`${ids}-text`} className="sr-only">
          Searches the loaded events' names, VMs, data and summaries.
        </span>
        <details className="filter-time" open={ranged || undefined}>
          <summary>
            Time range{ranged ? ' (set)' : ''}
            <span className="muted"> · {zoneName}</span>
          </summary>
          <div className="filter-time-fields">
            <label>
              From ({zoneName})
              <input
                type="datetime-local"
                step={1}
                value={since}
                onChange={(e) => setSince(e.target.value)}
              />
            </label>
            <label>
              Until ({zoneName})
              <input
                type="datetime-local"
                step={1}
                value={until}
                onChange={(e) => setUntil(e.target.value)}
              />
            </label>
          </div>
        </details>
        <button type="button" onClick={onClear} disabled={!active}>
          Clear filters
        </button>
      </div>
    </search>
  );
}
