import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it('reads units and combinations', () => {
    expect(parseDuration('30d')).toBe(30 * 86_400_000);
    expect(parseDuration('12h')).toBe(12 * 3_600_000);
    expect(parseDuration('1d12h')).toBe(36 * 3_600_000);
    expect(parseDuration('90m')).toBe(90 * 60_000);
    expect(parseDuration('1w')).toBe(7 * 86_400_000);
    expect(parseDuration('250ms')).toBe(250);
  });
  it('refuses the rest', () => {
    for (const bad of ['', '30', 'd', '0d', '-1h', '1.5h', '1y', '12 h', 'abc'])
      expect(parseDuration(bad)).toBeNull();
  });
});
