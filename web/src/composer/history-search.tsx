// The composer's Ctrl+R: search the history from the newest entry back, as a shell does.
import { useId, useMemo } from 'react';
import type { HistoryEntry } from './composer-store.ts';

/** Ctrl+R: newest matches first; Ctrl+R again goes further back; Enter takes it; Esc returns. */
export function HistorySearch({
  history,
  search,
  onSearch,
  onPick,
  onCancel,
}: {
  history: readonly HistoryEntry[];
  search: { query: string; skip: number };
  onSearch: (s: { query: string; skip: number }) => void;
  onPick: (entry: HistoryEntry) => void;
  onCancel: () => void;
}) {
  const ids = useId();
  const matches = useMemo(() => {
    const q = search.query.toLowerCase();
    const out: HistoryEntry[] = [];
    for (let i = history.length - 1; i >= 0 && out.length < 200; i--) {
      const h = history[i]!;
      if (h.text.toLowerCase().includes(q)) out.push(h);
    }
    return out;
  }, [history, search.query]);
  const current = matches.length ? Math.min(search.skip, matches.length - 1) : -1;
  const shown = matches.slice(0, 10);
  return (
    <div className="history-search">
      <label htmlFor={`${ids}-q`}>Search history</label>
      <input
        id={`${ids}-q`}
        type="search"
        // biome-ignore lint/a11y/noAutofocus: Ctrl+R moves the focus here on purpose.
        autoFocus
        value={search.query}
        aria-controls={`${ids}-list`}
        aria-activedescendant={current >= 0 && current < 10 ? `${ids}-m-${current}` : undefined}
        onChange={(e) => onSearch({ query: e.target.value, skip: 0 })}
        onKeyDown={(e) => {
          if (e.key === 'r' && e.ctrlKey) {
            e.preventDefault();
            onSearch({ ...search, skip: Math.min(search.skip + 1, Math.max(0, matches.length - 1)) });
          } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
            e.preventDefault();
            const d = e.key === 'ArrowDown' ? 1 : -1;
            onSearch({ ...search, skip: Math.max(0, Math.min(matches.length - 1, search.skip + d)) });
          } else if (e.key === 'Enter') {
            e.preventDefault();
            const m = matches[current];
            if (m) onPick(m);
          } else if (e.key === 'Escape') {
            e.preventDefault();
            onCancel();
          }
        }}
      />
      <div id={`${ids}-list`} role="listbox" aria-label="History matches" className="completions static">
        {shown.map((h, i) => (
          <div
            key={`${h.mode}:${h.cpuIndex ?? ''}:${h.text}`}
            id={`${ids}-m-${i}`}
            role="option"
            tabIndex={-1}
            aria-selected={i === current}
            className="completion"
            onMouseDown={(e) => {
              e.preventDefault();
              onPick(h);
            }}
          >
            <code className="completion-label">{h.text}</code>
            {h.mode !== 'qmp-shell' ? (
              <span className="completion-flag">
                {h.mode}
                {h.mode === 'hmp' && h.cpuIndex != null ? `, CPU ${h.cpuIndex}` : null}
              </span>
            ) : null}
          </div>
        ))}
        {matches.length === 0 ? (
          <div className="completion muted">No command in the history contains “{search.query}”.</div>
        ) : null}
      </div>
    </div>
  );
}
