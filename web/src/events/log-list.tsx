// The log's rows, virtualized: the newest at the bottom, following live events unless the person has
// scrolled up (then "N new events"); older history loads when the top comes near.
//
// A storm re-renders the list every few frames, so each render must stay small whatever the storm:
// collapsed rows have a fixed height and are never measured (measuring every new row read layout once
// per row, interleaved with the virtualizer's writes); only an expanded row is measured. Rows are
// memoized, and following the newest row writes the scroll position without reading layout first.
// On a narrow screen rows wrap instead of clipping: there every rendered row is measured (a phone shows
// a few dozen rows, and a storm there is the same few dozen rows re-rendered).
//
// The rows are one composite widget for the keyboard: one Tab stop (the active row, always rendered
// even when scrolled out of view), Up/Down/Home/End/PageUp/PageDown move between rows, Enter or Space
// opens a row's JSON.
import { defaultRangeExtractor, type Range, useVirtualizer } from '@tanstack/react-virtual';
import { type KeyboardEvent, memo, useCallback, useId, useLayoutEffect, useRef, useState } from 'react';
import { SEVERITY_LABEL, severityOf } from '../qemu/events.ts';
import { useTimeZone } from '../ui/preferences.ts';
import type { TimeZoneChoice } from '../ui/time-format.ts';
import { useMediaQuery } from '../ui/use-media-query.ts';
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
import { formatQemuTime, qemuTimeIso } from './time-format.ts';

/** A collapsed row's height in px (CSS `.log-row-main` keeps to it). */
export const ROW_HEIGHT = 30;
/** Where rows wrap (CSS `.log-row-main` in event-log.css uses the same width). */
export const NARROW_QUERY = '(max-width: 40rem)';
/** A wrapped row's height before it is measured: time and event on one line, the summary below. */
const WRAPPED_ROW_ESTIMATE = 66;
const fixedSize = () => ROW_HEIGHT;
const wrappedSize = () => WRAPPED_ROW_ESTIMATE;
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

const MOVE_KEYS = new Set(['ArrowUp', 'ArrowDown', 'Home', 'End', 'PageUp', 'PageDown']);

/** The row a key moves to from `from`, of `count` rows, a page being `page` rows. */
export function rowAfterKey(key: string, from: number, count: number, page: number): number {
  const last = count - 1;
  const to =
    key === 'ArrowUp'
      ? from - 1
      : key === 'ArrowDown'
        ? from + 1
        : key === 'Home'
          ? 0
          : key === 'End'
            ? last
            : key === 'PageUp'
              ? from - page
              : key === 'PageDown'
                ? from + page
                : from;
  return Math.max(0, Math.min(last, to));
}

export function LogList({ stream, view, historyComplete, showVm, label, empty }: LogListProps) {
  const scrollRef = useRef<HTMLElement>(null);
  const getScrollElement = useCallback(() => scrollRef.current, []);
  const following = useFollowing();
  const seenSeq = useSeenSeq();
  const expanded = useExpanded();
  const rows = view.rows;
  const count = rows.length;
  const zone = useTimeZone();
  const scrollId = useId();
  const wraps = useMediaQuery(NARROW_QUERY);

  // The keyboard's row: the one the person moved to or clicked, else the newest.
  const [activeSeq, setActiveSeq] = useState<number | null>(null);
  const found = activeSeq === null ? count : firstIndexAtOrAfter(rows, activeSeq);
  const activeIndex = Math.min(found, count - 1);
  const focusAfterRender = useRef(false);
  const listRef = useRef<HTMLUListElement>(null);
  // The active row stays rendered wherever the list is scrolled: Tab always finds the list's one stop.
  const rangeExtractor = useCallback(
    (range: Range) => {
      const indexes = defaultRangeExtractor(range);
      if (activeIndex < 0 || activeIndex >= range.count || indexes.includes(activeIndex)) return indexes;
      return [...indexes, activeIndex].sort((a, b) => a - b);
    },
    [activeIndex],
  );

  // Stable callbacks: a new getItemKey makes the virtualizer re-measure every row (100,000 of them).
  const getItemKey = useCallback((i: number) => rows[i]?.seq ?? i, [rows]);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement,
    estimateSize: wraps ? wrappedSize : fixedSize,
    overscan: 8,
    getItemKey,
    rangeExtractor,
    // No flushSync from scroll and resize handlers: React batches the re-render.
    useFlushSync: false,
  });

  // A row that closes is a collapsed row again: its measured height no longer holds.
  const wasOpen = useRef<ReadonlySet<number>>(expanded);
  useLayoutEffect(() => {
    if (wraps) return;
    for (const seq of wasOpen.current) {
      if (expanded.has(seq)) continue;
      const i = firstIndexAtOrAfter(rows, seq);
      if (rows[i]?.seq === seq) virtualizer.resizeItem(i, ROW_HEIGHT);
    }
    wasOpen.current = expanded;
  }, [expanded, rows, virtualizer, wraps]);

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
    if (added > 0 && rows[added]?.seq === prev.firstSeq)
      el.scrollTop += virtualizer.measurementsCache[added]?.start ?? added * ROW_HEIGHT;
  }, [count, view, following, rows, virtualizer]);

  // A key moved the active row: focus it once it is rendered (scrollToIndex brought it into view).
  useLayoutEffect(() => {
    if (!focusAfterRender.current) return;
    focusAfterRender.current = false;
    listRef.current?.querySelector<HTMLElement>(`[data-index="${activeIndex}"] > .log-row-main`)?.focus();
  });

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    if (!MOVE_KEYS.has(e.key) || count === 0 || e.altKey || e.ctrlKey || e.metaKey) return;
    e.preventDefault();
    const page = Math.max(1, Math.floor((scrollRef.current?.clientHeight ?? 0) / ROW_HEIGHT) - 1);
    const next = rowAfterKey(e.key, activeIndex, count, page);
    const seq = rows[next]!.seq;
    // Away from the newest row, the log stops following live events (the person is reading).
    if (next < count - 1) scrolledAway(rows[count - 1]!.seq);
    setActiveSeq(seq);
    focusAfterRender.current = true;
    virtualizer.scrollToIndex(next, { align: 'auto' });
  };
  const onRowFocus = useCallback((seq: number) => setActiveSeq(seq), []);

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
        // Rows are the Tab stop; with none, the region itself takes it (a scrollable region must be reachable).
        tabIndex={count === 0 ? 0 : undefined}
        onScroll={onScroll}
        onWheel={(e) => {
          // Scrolling up means "stop following" at once, before the next batch pulls the view down.
          if (e.deltaY < 0) scrolledAway(view.rows[view.rows.length - 1]?.seq ?? null);
        }}
      >
        {count === 0 ? <p className="log-empty muted">{empty}</p> : null}
        <ul
          ref={listRef}
          aria-label="Events"
          aria-describedby={count > 0 ? `${scrollId}-keys` : undefined}
          className="log-rows"
          style={{ height: `${virtualizer.getTotalSize()}px` }}
          onKeyDown={onKeyDown}
        >
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
                active={item.index === activeIndex}
                showVm={showVm}
                zone={zone}
                measure={expanded.has(row.seq) || wraps ? virtualizer.measureElement : undefined}
                onFocus={onRowFocus}
              />
            );
          })}
        </ul>
        <span id={`${scrollId}-keys`} hidden>
          Up and Down arrows, Home, End, Page Up and Page Down move between events; Enter shows an event's
          JSON.
        </span>
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
  active: boolean;
  showVm: boolean;
  zone: TimeZoneChoice;
  /** Set where the row's height is not ROW_HEIGHT (open, or wrapped on a narrow screen). */
  measure: ((el: Element | null) => void) | undefined;
  onFocus(seq: number): void;
}

const LogRowView = memo(function LogRowView({
  row,
  index,
  setSize,
  start,
  open,
  active,
  showVm,
  zone,
  measure,
  onFocus,
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
      ref={measure}
      style={{ transform: `translateY(${start}px)` }}
    >
      <button
        type="button"
        className="log-row-main"
        aria-expanded={open}
        tabIndex={active ? 0 : -1}
        onClick={() => rowToggled(row.seq)}
        onFocus={() => onFocus(row.seq)}
      >
        {severity !== 'info' ? <span className="sr-only">{SEVERITY_LABEL[severity]}: </span> : null}
        <time className="log-time" dateTime={qemuTimeIso(row.sec, row.us)}>
          {formatQemuTime(row.sec, row.us, zone)}
        </time>
        {showVm ? <span className="log-vm">{row.vm}</span> : null}
        <span className="log-event">{row.event}</span>
        <span className="log-summary">{summary}</span>
      </button>
      {open ? <pre className="log-json">{JSON.stringify(rowRecord(row), null, 2)}</pre> : null}
    </li>
  );
});
