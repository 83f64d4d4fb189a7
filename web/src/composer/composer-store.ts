// The composer's client state per VM: the mode, the HMP CPU index and the history (persisted in
// localStorage, de-duplicated, newest last), and the draft line (not persisted). QMP replies are not
// kept here.
import { create } from 'zustand';
import { createJSONStorage, persist } from 'zustand/middleware';
import type { ComposerMode } from './qmp-shell-syntax.ts';

export const HISTORY_LIMIT = 1000;
export const STORAGE_KEY = 'qmp-console.composer';

export interface HistoryEntry {
  text: string;
  mode: ComposerMode;
  /** HMP mode: the CPU index it was sent with. */
  cpuIndex?: number | null;
}

export interface VmComposerState {
  mode: ComposerMode;
  cpuIndex: number | null;
  /** Oldest first. */
  history: HistoryEntry[];
}

const EMPTY: VmComposerState = { mode: 'qmp-shell', cpuIndex: null, history: [] };
const NO_HISTORY: readonly HistoryEntry[] = [];

interface ComposerStore {
  vms: Record<string, VmComposerState>;
}

const sameEntry = (a: HistoryEntry, b: HistoryEntry) =>
  a.text === b.text &&
  a.mode === b.mode &&
  (a.mode !== 'hmp' || (a.cpuIndex ?? null) === (b.cpuIndex ?? null));

export const useComposerStore = create<ComposerStore>()(
  persist(() => ({ vms: {} }) as ComposerStore, {
    name: STORAGE_KEY,
    version: 1,
    storage: createJSONStorage(() => localStorage),
  }),
);

/** Drafts change on every key press: kept apart, so typing does not rewrite the persisted history. */
export const useDraftStore = create<{ drafts: Record<string, string> }>()(() => ({ drafts: {} }));

function update(vm: string, patch: (s: VmComposerState) => Partial<VmComposerState>): void {
  useComposerStore.setState((store) => {
    const current = store.vms[vm] ?? EMPTY;
    return { vms: { ...store.vms, [vm]: { ...current, ...patch(current) } } };
  });
}

// --- actions, named after what happened ---

/** A command was sent: it goes to the end of the history (an earlier copy is removed), the draft clears. */
export function commandSubmitted(vm: string, entry: HistoryEntry): void {
  const text = entry.text.trim();
  if (!text) return;
  const clean: HistoryEntry =
    entry.mode === 'hmp'
      ? { text, mode: 'hmp', cpuIndex: entry.cpuIndex ?? null }
      : { text, mode: entry.mode };
  update(vm, (s) => {
    const history = s.history.filter((h) => !sameEntry(h, clean));
    history.push(clean);
    return { history: history.slice(-HISTORY_LIMIT) };
  });
  draftChanged(vm, '');
}

export function draftChanged(vm: string, draft: string): void {
  useDraftStore.setState((s) => ({ drafts: { ...s.drafts, [vm]: draft } }));
}

export function modeChosen(vm: string, mode: ComposerMode): void {
  update(vm, () => ({ mode }));
}

export function cpuIndexChosen(vm: string, cpuIndex: number | null): void {
  update(vm, () => ({ cpuIndex }));
}

export function historyEntryRemoved(vm: string, entry: HistoryEntry): void {
  update(vm, (s) => ({ history: s.history.filter((h) => !sameEntry(h, entry)) }));
}

export function historyCleared(vm: string): void {
  update(vm, () => ({ history: [] }));
}

// --- selector hooks ---

export const useDraft = (vm: string) => useDraftStore((s) => s.drafts[vm] ?? '');
export const useMode = (vm: string) => useComposerStore((s) => s.vms[vm]?.mode ?? 'qmp-shell');
export const useCpuIndex = (vm: string) => useComposerStore((s) => s.vms[vm]?.cpuIndex ?? null);
export const useHistory = (vm: string): readonly HistoryEntry[] =>
  useComposerStore((s) => s.vms[vm]?.history ?? NO_HISTORY);

/** Non-reactive read, for key handlers. */
export const historyOf = (vm: string): readonly HistoryEntry[] =>
  useComposerStore.getState().vms[vm]?.history ?? NO_HISTORY;
