import { describe, expect, it } from 'vitest';
import { columns, describeChart, formatRate, sparklinePoints } from './chart-data.ts';

const sample = (t: number, rd: number) => ({
  t,
  readBytesPerS: rd,
  writeBytesPerS: 0,
  readOpsPerS: rd / 512,
  writeOpsPerS: 0,
  failedReads: 0,
  failedWrites: 0,
});

describe('chart data', () => {
  it('makes uPlot columns with x in seconds', () => {
    expect(columns([sample(2000, 512)], ['readBytesPerS', 'writeBytesPerS'])).toEqual([[2], [512], [0]]);
  });
  it('says the latest values and the peaks', () => {
    const text = describeChart(
      'disk0',
      'Bytes/s',
      'B/s',
      [sample(0, 2048), sample(2000, 512)],
      ['readBytesPerS', 'writeBytesPerS'],
    );
    expect(text).toBe('disk0 bytes/s: read 512 B/s, write 0 B/s now; peaks read 2.0 KiB/s, write 0 B/s');
    expect(describeChart('disk0', 'Bytes/s', 'B/s', [], ['readBytesPerS', 'writeBytesPerS'])).toMatch(
      /no samples/,
    );
  });
  it('formats rates', () => {
    expect(formatRate(1.5, 'ops/s')).toBe('1.5 ops/s');
    expect(formatRate(3 * 1024 * 1024, 'B/s')).toBe('3.0 MiB/s');
  });
  it('draws a sparkline across the window, 0 at the bottom and the peak at the top', () => {
    const samples = [sample(1000, 0), sample(2000, 2048), sample(3000, 1024)];
    expect(sparklinePoints(samples, 'readBytesPerS', 2048, 100, 12)).toBe('0.0,11.0 50.0,1.0 100.0,6.0');
    expect(sparklinePoints(samples, 'writeBytesPerS', 2048, 100, 12)).toBe('0.0,11.0 50.0,11.0 100.0,11.0');
    expect(sparklinePoints([], 'readBytesPerS', 1, 100, 12)).toBe('');
  });
});
