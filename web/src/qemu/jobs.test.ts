import { describe, expect, it } from 'vitest';
import { staleCommandsFor } from './events.ts';
import { jobActionsFor, jobConfirmation, jobIsActive } from './jobs.ts';
import { migrateCommandLine, migrationUnderWay } from './migration.ts';
import { parseSize } from './sizes.ts';

describe('job actions by status (QEMU job verb table)', () => {
  it.each([
    ['running', ['pause', 'cancel']],
    ['paused', ['resume', 'cancel']],
    ['ready', ['pause', 'complete', 'cancel']],
    ['pending', ['finalize', 'cancel']],
    ['concluded', ['dismiss']],
    ['aborting', []],
    ['null', []],
  ] as const)('%s offers %j', (status, actions) => {
    expect(jobActionsFor(status)).toEqual(actions);
  });

  it('confirmations name the VM and the job', () => {
    const c = jobConfirmation('db', 'mirror0', 'complete');
    expect(c.title).toBe('Complete job mirror0 on db?');
    expect(c.confirmLabel).toBe('Complete mirror0');
    expect(c.command).toBe('job-complete id=mirror0');
    expect(c.consequence).toMatch(/target/);
  });

  it('polls only jobs that do work', () => {
    expect(jobIsActive('running')).toBe(true);
    expect(jobIsActive('paused')).toBe(false);
    expect(jobIsActive('concluded')).toBe(false);
  });
});

describe('events that refresh jobs and migrations', () => {
  it('are in the event catalogue', () => {
    for (const event of ['JOB_STATUS_CHANGE', 'BLOCK_JOB_READY', 'BLOCK_JOB_ERROR', 'BLOCK_JOB_CANCELLED'])
      expect(staleCommandsFor(event)).toEqual(['query-jobs', 'query-block-jobs']);
    expect(staleCommandsFor('BLOCK_JOB_COMPLETED')).toContain('query-block');
    expect(staleCommandsFor('BLOCK_WRITE_THRESHOLD')).toEqual(['query-named-block-nodes']);
    expect(staleCommandsFor('MIGRATION')).toEqual(['query-migrate', 'query-status']);
    expect(staleCommandsFor('MIGRATION_PASS')).toEqual(['query-migrate']);
  });
});

describe('migration', () => {
  it('is under way until it ends', () => {
    expect(migrationUnderWay('active')).toBe(true);
    expect(migrationUnderWay('completed')).toBe(false);
    expect(migrationUnderWay(undefined)).toBe(false);
  });

  it('starts from a qmp-shell line', () => {
    expect(migrateCommandLine('unix:/tmp/m.sock')).toBe('migrate uri=unix:/tmp/m.sock');
  });
});

describe("QEMU's size syntax", () => {
  it.each([
    ['65536', 65536],
    ['64K', 65536],
    ['1M', 1048576],
    ['1.5G', 1.5 * 2 ** 30],
    ['2 GiB', 2 * 2 ** 30],
    ['0', 0],
  ])('%s is %d bytes', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each(['', 'lots', '-1', '1.5', '1X', '99999999999P'])('refuses %j', (text) =>
    expect(parseSize(text)).toBeNull(),
  );
});
