import { describe, expect, it } from 'vitest';
import type { BlockHistory } from '../../../protocol/guest.ts';
import { columns, describeChart, formatRate, sparklinePoints } from './chart-data.ts';

/** A device's columns from (seconds, read bytes/s) pairs; ops follow at 512 bytes each. */
const history = (...samples: [number, number][]): BlockHistory => ({
  device: 'disk0',
  since: 1_700_000_000_000,
  t: samples.map(([t]) => t),
  readBytesPerS: samples.map(([, rd]) => rd),
  writeBytesPerS: samples.map(() => 0),
  readOpsPerS: samples.map(([, rd]) => rd / 512),
  writeOpsPerS: samples.map(() => 0),
  failedReads: samples.map(() => 0),
  failedWrites: samples.map(() => 0),
});

describe('chart data', () => {
  it('makes uPlot columns with x in epoch seconds', () => {
    expect(columns(history([2, 512]), ['readBytesPerS', 'writeBytesPerS'])).toEqual([
      [1_700_000_002],
      [512],
      [0],
    ]);
    expect(columns(history([2, 512]), ['readOpsPerS', 'failedReads'])).toEqual([[1_700_000_002], [1], [0]]);
  });
  it('says the latest values and the peaks', () => {
    const text = describeChart('disk0', 'Bytes/s', 'B/s', history([0, 2048], [2, 512]), [
      'readBytesPerS',
      'writeBytesPerS',
    ]);
    expect(text).toBe('disk0 bytes/s: read 512 B/s, write 0 B/s now; peaks read 2.0 KiB/s, write 0 B/s');
    expect(describeChart('disk0', 'Bytes/s', 'B/s', history(), ['readBytesPerS', 'writeBytesPerS'])).toMatch(
      /no samples/,
    );
  });
  it('formats rates', () => {
    expect(formatRate(1.5, 'ops/s')).toBe('1.5 ops/s');
    expect(formatRate(3 * 1024 * 1024, 'B/s')).toBe('3.0 MiB/s');
  });
  it('draws a sparkline across the window, 0 at the bottom and the peak at the top', () => {
    const samples = history([1, 0], [2, 2048], [3, 1024]);
    expect(sparklinePoints(samples, 'readBytesPerS', 2048, 100, 12)).toBe('0.0,11.0 50.0,1.0 100.0,6.0');
    expect(sparklinePoints(samples, 'writeBytesPerS', 2048, 100, 12)).toBe('0.0,11.0 50.0,11.0 100.0,11.0');
    expect(sparklinePoints(history(), 'readBytesPerS', 1, 100, 12)).toBe('');
  });
});
