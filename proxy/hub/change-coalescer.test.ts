import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ChangeCoalescer } from './change-coalescer.ts';

describe('ChangeCoalescer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('releases the first change at once, then the newest value per key once the interval has passed', () => {
    const released: string[][] = [];
    const c = new ChangeCoalescer<string, string>(50, (v) => released.push(v));
    c.change('a', 'a1');
    expect(released).toEqual([['a1']]);
    c.change('b', 'b1');
    c.change('a', 'a2');
    c.change('b', 'b2');
    vi.advanceTimersByTime(49);
    expect(released).toHaveLength(1);
    vi.advanceTimersByTime(1);
    // In the order the keys first changed, each one's newest value.
    expect(released).toEqual([['a1'], ['b2', 'a2']]);
  });

  it('with interval 0 releases every change, and clear drops what is held', () => {
    const released: number[][] = [];
    const now = new ChangeCoalescer<string, number>(0, (v) => released.push(v));
    now.change('x', 1);
    now.change('x', 2);
    expect(released).toEqual([[1], [2]]);
    const held = new ChangeCoalescer<string, number>(50, (v) => released.push(v));
    held.change('x', 3);
    held.change('x', 4);
    held.clear();
    vi.advanceTimersByTime(100);
    expect(released).toEqual([[1], [2], [3]]);
  });
});
