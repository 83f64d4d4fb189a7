// The composer's history (kept per VM in the browser): filter it, reuse an entry with one click, clear it.
import { useId, useState } from 'react';
import type { HistoryEntry } from './composer-store.ts';

export function HistoryList({
  history,
  onReuse,
  onClear,
}: {
  history: readonly HistoryEntry[];
  onReuse: (entry: HistoryEntry) => void;
  onClear: () => void;
}) {
  const [filter, setFilter] = useState('');
  const ids = useId();
  const q = filter.toLowerCase();
  const shown: HistoryEntry[] = [];
  for (let i = history.length - 1; i >= 0 && shown.length < 100; i--) {
    const h = history[i]!;
    if (!q || h.text.toLowerCase().includes(q)) shown.push(h);
  }
  return (
    <details className="history">
      <summary>History ({history.length})</summary>
      <div className="history-tools">
        <label htmlFor={`${ids}-filter`}>Filter</label>
        <input
          id={`${ids}-filter`}
          type="search"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
        {history.length ? (
          <button type="button" onClick={onClear}>
            Clear history
          </button>
        ) : null}
      </div>
      <ul className="history-entries">
        {shown.map((h) => (
          <li key={`${h.mode}:${h.cpuIndex ?? ''}:${h.text}`}>
            <button
              type="button"
              className="history-reuse"
              onClick={() => onReuse(h)}
              aria-label={`Reuse ${h.text}`}
            >
              {h.mode !== 'qmp-shell' ? <span className="completion-flag">{h.mode}</span> : null}
              <code>{h.text}</code>
            </button>
          </li>
        ))}
        {shown.length === 0 ? (
          <li className="muted">{history.length ? 'No match.' : 'Nothing run yet.'}</li>
        ) : null}
      </ul>
    </details>
  );
}
