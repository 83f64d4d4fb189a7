import { describe, expect, it } from 'vitest';
import { BlockSampler, blockColumns, rates } from './block-sampler.ts';

const stats = (rd: number, ops: number, failed = 0) => ({
  device: 'disk0',
  stats: {
    rd_bytes: rd,
    wr_bytes: 0,
    rd_operations: ops,
    wr_operations: 0,
    failed_rd_operations: failed,
    failed_wr_operations: 0,
  },
});

describe('rates', () => {
  const at = (t: number, rd: number) => ({
    t,
    rdBytes: rd,
    wrBytes: 0,
    rdOps: 0,
    wrOps: 0,
    failedRd: 0,
    failedWr: 0,
  });
  it('divides deltas by the seconds between readings', () => {
    expect(rates(at(0, 0), at(2000, 1024))).toMatchObject({ t: 2000, readBytesPerS: 512 });
  });
  it('gives nothing when a counter went back (a new QEMU) or time did not move', () => {
    expect(rates(at(0, 100), at(1000, 50))).toBeNull();
    expect(rates(at(1000, 0), at(1000, 10))).toBeNull();
  });
});

describe('BlockSampler', () => {
  it('keeps per-device samples within the window, and failed operations as counts', async () => {
    let now = 0;
    const replies = [[stats(0, 0)], [stats(4096, 8, 1)], [stats(4096, 8, 1)], [stats(8192, 16)]];
    const sampler = new BlockSampler(
      async (_vm, command) => (command === 'query-blockstats' ? replies.shift() : []),
      {
        windowMs: 5000,
        now: () => now,
      },
    );
    for (const t of [0, 1000, 2000]) {
      now = t;
      await sampler.sample('vm');
    }
    const h = sampler.history('vm').block[0]!;
    // Columns, uPlot's shape: x in seconds (after the first sample), one array per series.
    expect(h.since).toBe(1000);
    expect([h.t, h.readBytesPerS, h.readOpsPerS, h.failedReads]).toEqual([
      [0, 1],
      [4096, 0],
      [8, 0],
      [1, 0],
    ]);
    expect(h.writeBytesPerS).toEqual([0, 0]);
    now = 7000;
    // The failed counter went back to 0: a reset, no sample; the old ones aged out of the window.
    await sampler.sample('vm');
    expect(sampler.history('vm').block[0]!.t).toEqual([]);
  });

  it('answers rates to four significant digits, failed operations as counts', () => {
    const sample = {
      t: 1_700_000_000_000,
      readBytesPerS: 1023.64,
      writeBytesPerS: 123456,
      readOpsPerS: 1.23456,
      writeOpsPerS: 2 / 3,
    };
    const second = { ...sample, t: sample.t + 2049, failedReads: 0, failedWrites: 0 };
    expect(blockColumns('disk0', [{ ...sample, failedReads: 12345, failedWrites: 0 }, second])).toEqual({
      device: 'disk0',
      since: 1_700_000_000_000,
      t: [0, 2],
      readBytesPerS: [1024, 1024],
      writeBytesPerS: [123500, 123500],
      readOpsPerS: [1.235, 1.235],
      writeOpsPerS: [0.6667, 0.6667],
      failedReads: [12345, 0],
      failedWrites: [0, 0],
    });
  });

  it('survives QEMU errors and unknown VMs', async () => {
    const sampler = new BlockSampler(async () => {
      throw new Error('gone');
    });
    await sampler.sample('vm');
    expect(sampler.history('vm').block).toEqual([]);
    expect(sampler.history('other').vmStats).toBeNull();
  });
});
