import { describe, expect, it } from 'vitest';
import { ROW_HEIGHT, RowLayout } from './log-list.tsx';

describe('RowLayout', () => {
  it('places collapsed rows by arithmetic and shifts the rows below an expanded one', () => {
    const layout = new RowLayout(100, [
      { index: 3, extra: 100 },
      { index: 10, extra: 50 },
    ]);
    expect(layout.total).toBe(100 * ROW_HEIGHT + 150);
    expect(layout.start(0)).toBe(0);
    expect(layout.start(3)).toBe(3 * ROW_HEIGHT);
    expect(layout.start(4)).toBe(4 * ROW_HEIGHT + 100);
    expect(layout.start(11)).toBe(11 * ROW_HEIGHT + 150);
  });

  it('finds the row at any height: inside an expanded row, below it, past the end', () => {
    const layout = new RowLayout(100, [{ index: 3, extra: 100 }]);
    expect(layout.indexAt(0)).toBe(0);
    expect(layout.indexAt(3 * ROW_HEIGHT + 120)).toBe(3);
    expect(layout.indexAt(4 * ROW_HEIGHT + 100)).toBe(4);
    expect(layout.indexAt(4 * ROW_HEIGHT + 99)).toBe(3);
    expect(layout.indexAt(1e9)).toBe(99);
    for (let i = 0; i < 100; i++) expect(layout.indexAt(layout.start(i))).toBe(i);
  });
});
