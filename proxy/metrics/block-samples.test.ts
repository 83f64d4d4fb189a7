import { describe, expect, it } from 'vitest';
import { blockCounters, ioStatuses } from './block-samples.ts';
import { IO_ERROR_CAUSES, ioErrorCause } from './io-error-cause.ts';

describe('block samples', () => {
  it('keeps only devices with an io-status, named by backend, else guest device', () => {
    expect(
      ioStatuses([
        { device: 'bad0', 'io-status': 'nospace', inserted: { 'node-name': 'n0' } },
        { device: '', qdev: 'virtio0', 'io-status': 'ok', inserted: { 'node-name': 'n1' } },
        { device: 'cd0', removable: true },
        { device: 'x', 'io-status': 'weird' },
        'not an object',
      ]),
    ).toEqual([
      { device: 'bad0', node: 'n0', status: 'nospace' },
      { device: 'virtio0', node: 'n1', status: 'ok' },
    ]);
    expect(ioStatuses(null)).toEqual([]);
  });

  it('reads query-blockstats counters, taking nothing QEMU did not send as a number', () => {
    expect(
      blockCounters([
        {
          device: 'd0',
          stats: { rd_bytes: 10, wr_bytes: 'x', failed_flush_operations: 2, flush_operations: -1 },
        },
        { device: '', 'node-name': 'n1', stats: {} },
        { device: 'nostats' },
      ]),
    ).toEqual([
      expect.objectContaining({ device: 'd0', readBytes: 10, writeBytes: 0, flushOps: 0, failedFlushOps: 2 }),
      expect.objectContaining({ device: 'n1', readBytes: 0 }),
    ]);
  });
});

describe('io error cause', () => {
  it('is the errno name of known strerror texts, ENOSPC when QEMU says nospace, else other', () => {
    expect(ioErrorCause('Input/output error', false)).toBe('EIO');
    expect(ioErrorCause('No space left on device', undefined)).toBe('ENOSPC');
    expect(ioErrorCause('Input/output error', true)).toBe('ENOSPC');
    expect(ioErrorCause('disk on fire at sector 12345', false)).toBe('other');
    expect(ioErrorCause(undefined, undefined)).toBe('other');
    expect(ioErrorCause('toString', false)).toBe('other');
    expect(IO_ERROR_CAUSES).toContain('other');
  });
});
