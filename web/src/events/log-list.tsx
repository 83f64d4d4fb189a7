// The log's rows, windowed: the newest at the bottom, following live events unless the person has
// scrolled up (then "N new events"); older history loads when the top comes near.
//
// A storm re-renders the list every few frames, so one render must cost the same with 1,000 rows or
// 250,000: a collapsed row is ROW_HEIGHT high, so where a row sits is arithmetic, and only the few
// expanded rows are measured (a general virtualizer recomputed every row's position on each render
// and measured each new row, reading layout between its writes). Following the newest row renders
// the bottom window at once and writes the scroll position without reading layout first.
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { LogRow, LogView } from './log-buffer.ts';
import { rowRecord, rowSummary } from './log-buffer.ts';
import type { LogStream } from './log-stream.ts';
import {
  followResumed,
  rowToggled,
  scrolledAway,
  useExpanded,
  useFollowing,
  useSeenSeq,
} from './log-ui-store.ts';
import { SEVERITY_LABEL, severityOf } from './summaries.ts';
import { formatQemuTime, qemuTimeIso } from './time-format.ts';

/** A collapsed row's height in px (CSS `.log-row-main` keeps to it). */
export const ROW_HEIGHT = 30;
/** Older history starts loading this close to the top, in rows. */
const LOAD_AHEAD_ROWS = 40;
/** Rows rendered beyond each edge of the visible window. */
const OVERSCAN = 8;
const FAR_BELOW = 1e9;

export interface LogListProps {
  stream: LogStream;
  view: LogView;
  historyComplete: boolean;
  showVm: boolean;
  label: string;
  empty: string;
}

function firstIndexAtOrAfter(rows: readonly LogRow[], seq: number): number {
  let lo = 0;
  let hi = rows.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (rows[mid]!.seq < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** An expanded row: where it is and how much taller than a collapsed row it is. */
interface OpenRow {
  index: number;
  extra: number;
}

/** Row positions with every row ROW_HEIGHT high except the open ones (few: a person opened them). */
export class RowLayout {
  readonly total: number;

  constructor(
    readonly count: number,
    /** Ascending by index. */
    private readonly open: readonly OpenRow[],
  ) {
    this.total = count * ROW_HEIGHT + open.reduce((n, o) => n + o.extra, 0);
  }

  start(index: number): number {
    let y = index * ROW_HEIGHT;
    for (const o of this.open) {
      if (o.index >= index) break;
      y += o.extra;
    }
    return y;
  }

  /** The row at height `y` (clamped to the rows there are). */
  indexAt(y: number): number {
    let shift = 0;
    for (const o of this.open) {
      const top = o.index * ROW_HEIGHT + shift;
      if (y < top) break;
      if (y < top + ROW_HEIGHT + o.extra) return o.index;
      shift += o.extra;
    }
    return Math.max(0, Math.min(this.count - 1, Math.floor((y - shift) / ROW_HEIGHT)));
  }
}

export function LogList({ stream, view, historyComplete, showVm, label, empty }: LogListProps) {
  const scrollRef = useRef<HTMLElement>(null);
  const following = useFollowing();
  const seenSeq = useSeenSeq();
  const expanded = useExpanded();
  const rows = view.rows;
  const count = rows.length;

  // What the scroller shows: read on scroll and resize only, never during a render.
  const [viewport, setViewport] = useState({ top: 0, height: 0 });
  const readViewport = useCallback(() => {
    const el = scrollRef.current;
    if (!el) return;
    const next = { top: el.scrollTop, height: el.clientHeight };
    setViewport((v) => (v.top === next.top && v.height === next.height ? v : next));
  }, []);
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    readViewport();
    if (typeof ResizeObserver === 'undefined') return;
    const observer = new ResizeObserver(readViewport);
    observer.observe(el);
    return () => observer.disconnect();
  }, [readViewport]);

  // Expanded rows' heights, measured as they render and whenever they change.
  const [heights, setHeights] = useState<ReadonlyMap<number, number>>(() => new Map());
  const sizeObserver = useRef<ResizeObserver | null>(null);
  useEffect(() => () => sizeObserver.current?.disconnect(), []);
  const measureOpen = useCallback((el: HTMLLIElement | null) => {
    if (!el || typeof ResizeObserver === 'undefined') return;
    sizeObserver.current ??= new ResizeObserver((entries) => {
      setHeights((prev) => {
        let next: Map<number, number> | null = null;
        for (const e of entries) {
          const target = e.target as HTMLElement;
          if (!target.isConnected) {
            sizeObserver.current?.unobserve(target);
            continue;
          }
          const seq = Number(target.dataset.seq);
          const h = target.getBoundingClientRect().height;
          if (prev.get(seq) === h) continue;
          next ??= new Map(prev);
          next.set(seq, h);
        }
        return next ?? prev;
      });
    });
    sizeObserver.current.observe(el);
  }, []);

  const layout = useMemo(() => {
    const open: OpenRow[] = [];
    for (const seq of expanded) {
      const index = firstIndexAtOrAfter(rows, seq);
      const h = heights.get(seq);
      if (rows[index]?.seq === seq && h !== undefined && h > ROW_HEIGHT)
        open.push({ index, extra: h - ROW_HEIGHT });
    }
    open.sort((a, b) => a.index - b.index);
    return new RowLayout(count, open);
  }, [count, rows, expanded, heights]);

  // Following: the window at the bottom, in this very render.
  const top = following ? Math.max(0, layout.total - viewport.height) : viewport.top;
  const first = count === 0 ? 0 : Math.max(0, layout.indexAt(top) - OVERSCAN);
  const last = count === 0 ? -1 : Math.min(count - 1, layout.indexAt(top + viewport.height) + OVERSCAN);

  // Rows added above (older history) must not move what the person is reading.
  const anchor = useRef<{ view: LogView; firstSeq: number | null }>({ view, firstSeq: null });
  useLayoutEffect(() => {
    const el = scrollRef.current;
    const prev = anchor.current;
    const firstSeq = count > 0 ? rows[0]!.seq : null;
    anchor.current = { view, firstSeq };
    if (!el) return;
    if (following) {
      // Past the end: the browser stops at the bottom (reading scrollHeight would force a layout).
      el.scrollTop = FAR_BELOW;
      return;
    }
    if (prev.view !== view || prev.firstSeq === null || firstSeq === prev.firstSeq) return;
    const added = firstIndexAtOrAfter(rows, prev.firstSeq);
    if (added > 0 && rows[added]?.seq === prev.firstSeq) el.scrollTop += added * ROW_HEIGHT;
  }, [count, view, following, rows]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    readViewport();
    const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
    if (fromBottom <= ROW_HEIGHT) followResumed();
    else scrolledAway(view.rows[view.rows.length - 1]?.seq ?? null);
    if (el.scrollTop < LOAD_AHEAD_ROWS * ROW_HEIGHT && !historyComplete) void stream.loadOlder();
  };

  const newCount = !following && seenSeq !== null ? view.countAfter(seenSeq) : 0;
  const items: LogRow[] = [];
  for (let i = first; i <= last; i++) items.push(rows[i]!);

  return (
    <div className="log-frame">
      <section
        ref={scrollRef}
        className="log-scroll"
        aria-label={label}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        tabIndex={0}
        onScroll={onScroll}
        onWheel={(e) => {
          // Scrolling up means "stop following" at once, before the next batch pulls the view down.
          if (e.deltaY < 0) scrolledAway(view.rows[view.rows.length - 1]?.seq ?? null);
        }}
      >
        {count === 0 ? <p className="log-empty muted">{empty}</p> : null}
        <ul aria-label="Events" className="log-rows" style={{ height: `${layout.total}px` }}>
          {items.map((row, k) => {
            const index = first + k;
            const open = expanded.has(row.seq);
            return (
              <LogRowView
                key={row.seq}
                row={row}
                index={index}
                setSize={count}
                start={layout.start(index)}
                open={open}
                showVm={showVm}
                measure={measureOpen}
              />
            );
          })}
        </ul>
      </section>
      {newCount > 0 ? (
        <button
          type="button"
          className="log-new-events"
          onClick={() => {
            followResumed();
            const el = scrollRef.current;
            if (el) el.scrollTop = FAR_BELOW;
          }}
        >
          {newCount.toLocaleString('en-US')} new event{newCount === 1 ? '' : 's'}
        </button>
      ) : null}
    </div>
  );
}

interface LogRowViewProps {
  row: LogRow;
  index: number;
  setSize: number;
  start: number;
  open: boolean;
  showVm: boolean;
  measure: (el: HTMLLIElement | null) => void;
}

const LogRowView = memo(function LogRowView({
  row,
  index,
  setSize,
  start,
  open,
  showVm,
  measure,
}: LogRowViewProps) {
  const severity = severityOf(row.event, row.console);
  const summary = rowSummary(row);
  return (
    <li
      aria-setsize={setSize}
      aria-posinset={index + 1}
      className="log-row"
      data-severity={severity}
      data-index={index}
      data-seq={row.seq}
      // Only an expanded row's height is not ROW_HEIGHT.
      ref={open ? measure : undefined}
      style={{ transform: `translateY(${start}px)` }}
    >
      <button type="button" className="log-row-main" aria-expanded={open} onClick={() => rowToggled(row.seq)}>
        {severity !== 'info' ? <span className="sr-only">{SEVERITY_LABEL[severity]}: </span> : null}
        <time className="log-time" dateTime={qemuTimeIso(row.sec, row.us)}>
          {formatQemuTime(row.sec, row.us)}
        </time>
        {showVm ? <span className="log-vm">{row.vm}</span> : null}
        <span className="log-event">{row.event}</span>
        <span className="log-summary">{summary}</span>
      </button>
      {open ? <pre className="log-json">{JSON.stringify(rowRecord(row), null, 2)}</pre> : null}
    </li>
  );
});
