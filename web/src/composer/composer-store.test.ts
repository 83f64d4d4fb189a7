import { beforeEach, describe, expect, it } from 'vitest';
import {
  commandSubmitted,
  draftChanged,
  HISTORY_LIMIT,
  historyCleared,
  historyEntryRemoved,
  historyOf,
  STORAGE_KEY,
  useComposerStore,
  useDraftStore,
} from './composer-store.ts';

beforeEach(() => {
  localStorage.clear();
  useComposerStore.setState({ vms: {} });
  useDraftStore.setState({ drafts: {} });
});

describe('composer store', () => {
  it('keeps a history per VM, newest last, de-duplicated, and clears the draft', () => {
    draftChanged('a', 'query-status');
    commandSubmitted('a', { text: 'query-status', mode: 'qmp-shell' });
    commandSubmitted('a', { text: ' query-name ', mode: 'qmp-shell' });
    commandSubmitted('a', { text: 'query-status', mode: 'qmp-shell' });
    commandSubmitted('b', { text: 'stop', mode: 'qmp-shell' });
    expect(historyOf('a').map((h) => h.text)).toEqual(['query-name', 'query-status']);
    expect(historyOf('b').map((h) => h.text)).toEqual(['stop']);
    expect(useDraftStore.getState().drafts.a).toBe('');
  });

  it('tells the same text in different modes (and HMP CPU indexes) apart', () => {
    commandSubmitted('a', { text: 'info status', mode: 'hmp', cpuIndex: null });
    commandSubmitted('a', { text: 'info status', mode: 'hmp', cpuIndex: 1 });
    commandSubmitted('a', { text: 'info status', mode: 'qmp-shell' });
    commandSubmitted('a', { text: 'info status', mode: 'hmp', cpuIndex: null });
    expect(historyOf('a')).toEqual([
      { text: 'info status', mode: 'hmp', cpuIndex: 1 },
      { text: 'info status', mode: 'qmp-shell' },
      { text: 'info status', mode: 'hmp', cpuIndex: null },
    ]);
  });

  it(`keeps the last ${HISTORY_LIMIT} entries`, () => {
    for (let i = 0; i < HISTORY_LIMIT + 25; i++)
      commandSubmitted('a', { text: `cmd-${i}`, mode: 'qmp-shell' });
    const h = historyOf('a');
    expect(h).toHaveLength(HISTORY_LIMIT);
    expect(h[0]!.text).toBe('cmd-25');
    expect(h.at(-1)!.text).toBe(`cmd-${HISTORY_LIMIT + 24}`);
  });

  it('ignores blank commands; removes and clears entries', () => {
    commandSubmitted('a', { text: '   ', mode: 'qmp-shell' });
    expect(historyOf('a')).toEqual([]);
    commandSubmitted('a', { text: 'x', mode: 'qmp-shell' });
    commandSubmitted('a', { text: 'y', mode: 'qmp-shell' });
    historyEntryRemoved('a', { text: 'x', mode: 'qmp-shell' });
    expect(historyOf('a').map((h) => h.text)).toEqual(['y']);
    historyCleared('a');
    expect(historyOf('a')).toEqual([]);
  });

  it('persists history and mode, not drafts', () => {
    commandSubmitted('a', { text: 'query-status', mode: 'qmp-shell' });
    draftChanged('a', 'half typed');
    const stored = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}');
    expect(stored.state.vms.a.history).toEqual([{ text: 'query-status', mode: 'qmp-shell' }]);
    expect(JSON.stringify(stored)).not.toContain('half typed');
  });
});
