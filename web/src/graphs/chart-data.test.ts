import { describe, expect, it } from 'vitest';
import { columns, describeChart, formatRate } from './chart-data.ts';

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
});
