// The log's rows, virtualized: the newest at the bottom, following live events unless the person has
// scrolled up (then "N new events"); older history loads when the top comes near.
//
// A storm re-renders the list every few frames, so each render must stay small whatever the storm:
// collapsed rows have a fixed height and are never measured (measuring every new row read layout once
// per row, interleaved with the virtualizer's writes); only an expanded row is measured. Rows are
// memoized, and following the newest row writes the scroll position without reading layout first.
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useCallback, useLayoutEffect, useRef } from 'react';
import { SEVERITY_LABEL, severityOf } from '../qemu/events.ts';
import { formatQemuTime, qemuTimeIso } from '../ui/time-format.ts';
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

/** A collapsed row's height in px (CSS `.log-row-main` keeps to it). */
export const ROW_HEIGHT = 30;
const estimateSize = () => ROW_HEIGHT;
/** Older history starts loading this close to the top, in rows. */
const LOAD_AHEAD_ROWS = 40;
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

export function LogList({ stream, view, historyComplete, showVm, label, empty }: LogListProps) {
  const scrollRef = useRef<HTMLElement>(null);
  const getScrollElement = useCallback(() => scrollRef.current, []);
  const following = useFollowing();
  const seenSeq = useSeenSeq();
  const expanded = useExpanded();
  const rows = view.rows;
  const count = rows.length;

  // Stable callbacks: a new getItemKey makes the virtualizer re-measure every row (100,000 of them).
  const getItemKey = useCallback((i: number) => rows[i]?.seq ?? i, [rows]);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement,
    estimateSize,
    overscan: 8,
    getItemKey,
    // No flushSync from scroll and resize handlers: React batches the re-render.
    useFlushSync: false,
  });

  // A row that closes is a collapsed row again: its measured height no longer holds.
  const wasOpen = useRef<ReadonlySet<number>>(expanded);
  useLayoutEffect(() => {
    for (const seq of wasOpen.current) {
      if (expanded.has(seq)) continue;
      const i = firstIndexAtOrAfter(rows, seq);
      if (rows[i]?.seq === seq) virtualizer.resizeItem(i, ROW_HEIGHT);
    }
    wasOpen.current = expanded;
  }, [expanded, rows, virtualizer]);

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
    const fromBottom = el.scrollHeight - el.scrollTop - el.clientHeight;
    if (fromBottom <= ROW_HEIGHT) followResumed();
    else scrolledAway(view.rows[view.rows.length - 1]?.seq ?? null);
    if (el.scrollTop < LOAD_AHEAD_ROWS * ROW_HEIGHT && !historyComplete) void stream.loadOlder();
  };

  const newCount = !following && seenSeq !== null ? view.countAfter(seenSeq) : 0;
  const items = virtualizer.getVirtualItems();

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
        <ul aria-label="Events" className="log-rows" style={{ height: `${virtualizer.getTotalSize()}px` }}>
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            return (
              <LogRowView
                key={item.key}
                row={row}
                index={item.index}
                setSize={count}
                start={item.start}
                open={expanded.has(row.seq)}
                showVm={showVm}
                measure={virtualizer.measureElement}
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
  measure: (el: Element | null) => void;
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
