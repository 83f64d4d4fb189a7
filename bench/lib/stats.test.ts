import { describe, expect, it } from 'vitest';
import { median, percentile, ratio, round, spread } from './stats.ts';

describe('percentile', () => {
  it('takes the nearest rank', () => {
    const xs = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(xs, 50)).toBe(50);
    expect(percentile(xs, 99)).toBe(99);
    expect(percentile(xs, 100)).toBe(100);
    expect(percentile(xs, 0)).toBe(1);
  });
  it('is NaN without samples and the sample itself with one', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(median([7])).toBe(7);
    expect(spread([3, 1, 2])).toEqual({ n: 3, p50: 2, p99: 3 });
  });
});

describe('ratio and round', () => {
  it('guards missing figures', () => {
    expect(ratio(1, 0)).toBeNaN();
    expect(ratio(Number.NaN, 2)).toBeNaN();
    expect(ratio(3, 2)).toBe(1.5);
  });
  it('keeps three significant figures below 100', () => {
    expect(round(0.123456)).toBe(0.123);
    expect(round(12.345)).toBe(12.3);
    expect(round(1234.5)).toBe(1235);
  });
});
