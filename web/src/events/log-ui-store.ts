// The event log's client state: whether it follows live events, where the person left it, which rows
// are open. Never server data: the rows live in the log's buffer.
import { create } from 'zustand';

interface LogUiState {
  /** Stays at the newest row as events arrive. */
  following: boolean;
  /** The newest shown seq when the person scrolled away: rows after it are "new". */
  seenSeq: number | null;
  /** Rows showing their full JSON. */
  expanded: ReadonlySet<number>;
}

const initial: LogUiState = { following: true, seenSeq: null, expanded: new Set() };

const useLogUiStore = create<LogUiState>()(() => initial);

export const useFollowing = () => useLogUiStore((s) => s.following);
export const useSeenSeq = () => useLogUiStore((s) => s.seenSeq);
export const useExpanded = () => useLogUiStore((s) => s.expanded);

/** A log was opened (or its selection changed): follow live, nothing open. */
export function logOpened(): void {
  useLogUiStore.setState(initial);
}

/** The person scrolled up, away from the newest row (the newest shown then: `newestSeq`). */
export function scrolledAway(newestSeq: number | null): void {
  const s = useLogUiStore.getState();
  if (!s.following) return;
  useLogUiStore.setState({ following: false, seenSeq: newestSeq });
}

/** The person is at the newest row again (scrolled there, or asked for the new events). */
export function followResumed(): void {
  if (useLogUiStore.getState().following) return;
  useLogUiStore.setState({ following: true, seenSeq: null });
}

export function rowToggled(seq: number): void {
  const expanded = new Set(useLogUiStore.getState().expanded);
  if (expanded.has(seq)) expanded.delete(seq);
  else expanded.add(seq);
  useLogUiStore.setState({ expanded });
}

/** For tests. */
export const logUiState = () => useLogUiStore.getState();
