import { describe, expect, it } from 'vitest';
import { alertSeverityOf } from '../../protocol/journal.ts';
import { AlertBook, alertFacts, binaryBytes, thresholdReason, toJournalAlert } from './alert-book.ts';

// Data exactly as QEMU 7.2 sent it in a test with `block-set-write-threshold` 65536 and a 1 MiB write.
const crossing = { 'node-name': '#block697', 'write-threshold': 65536, 'amount-exceeded': 983040 };

describe('write threshold alerts', () => {
  it('name the node and how far past the threshold the write went', () => {
    expect(alertFacts('BLOCK_WRITE_THRESHOLD', crossing)).toEqual({
      event: 'BLOCK_WRITE_THRESHOLD',
      device: null,
      node: '#block697',
      operation: 'write',
      action: null,
      reason: 'a write went 960 KiB (983040 bytes) past the threshold at 64 KiB (65536 bytes)',
      nospace: null,
    });
  });

  it('are warnings; the failures stay critical', () => {
    const book = new AlertBook([], 0);
    const warning = book.apply('vm1', 'BLOCK_WRITE_THRESHOLD', crossing, 1, 1000);
    const failure = book.apply(
      'vm1',
      'BLOCK_JOB_ERROR',
      { device: 'bk0', operation: 'write', action: 'report' },
      2,
      1000,
    );
    expect(toJournalAlert(warning!).severity).toBe('warning');
    expect(toJournalAlert(failure!).severity).toBe('critical');
    expect(toJournalAlert(failure!)).toMatchObject({ device: 'bk0', operation: 'write', action: 'report' });
  });

  it('coalesce per node, keeping the latest amount', () => {
    const book = new AlertBook([], 0);
    book.apply('vm1', 'BLOCK_WRITE_THRESHOLD', crossing, 1, 1000);
    const again = book.apply(
      'vm1',
      'BLOCK_WRITE_THRESHOLD',
      { ...crossing, 'amount-exceeded': 4096 },
      2,
      2000,
    );
    expect(book.open()).toHaveLength(1);
    expect(again?.count).toBe(2);
    expect(again?.reason).toContain('4 KiB (4096 bytes) past');
    const other = book.apply('vm1', 'BLOCK_WRITE_THRESHOLD', { ...crossing, 'node-name': 'n2' }, 3, 3000);
    expect(other?.id).not.toBe(again?.id);
  });

  it('survive data QEMU did not send', () => {
    expect(thresholdReason({})).toBeNull();
    expect(thresholdReason({ 'amount-exceeded': 'lots', 'write-threshold': -1 })).toBeNull();
    expect(alertFacts('BLOCK_WRITE_THRESHOLD', undefined)?.node).toBeNull();
  });
});

describe('severity on the wire', () => {
  it('reads an alert without one (an older console) as critical', () => {
    expect(alertSeverityOf({})).toBe('critical');
    expect(alertSeverityOf({ severity: 'warning' })).toBe('warning');
  });

  it('formats byte counts in binary units', () => {
    expect(binaryBytes(512)).toBe('512 bytes');
    expect(binaryBytes(1536)).toBe('1.5 KiB');
    expect(binaryBytes(16 * 1024 ** 3)).toBe('16 GiB');
  });
});
