import { describe, expect, it } from 'vitest';
import type { BlockJobInfo, JobInfo } from '../qemu/jobs.ts';
import { formatDuration, percent } from '../ui/units.ts';
import { jobTimes } from './job-queries.ts';
import { addSample, mergeJobs, progressRate, RATE_WINDOW_MS, timeLeftMs } from './job-rows.ts';

// Replies as QEMU 7.2 gave them for a drive-backup throttled to 8 MiB/s.
const job: JobInfo = {
  id: 'bk0',
  type: 'backup',
  status: 'running',
  'current-progress': 8388608,
  'total-progress': 67108864,
};
const block: BlockJobInfo = {
  'auto-finalize': true,
  'io-status': 'ok',
  device: 'bk0',
  'auto-dismiss': true,
  busy: false,
  len: 67108864,
  offset: 8388608,
  status: 'running',
  paused: false,
  speed: 8388608,
  ready: false,
  type: 'backup',
};

describe('mergeJobs', () => {
  it('joins a job with its block-job facts', () => {
    const [row] = mergeJobs([job], [block]);
    expect(row).toMatchObject({ id: 'bk0', type: 'backup', current: 8388608, total: 67108864, error: null });
    expect(row?.block?.speed).toBe(8388608);
  });

  it('keeps a block job that query-jobs did not list, from offset and len', () => {
    expect(mergeJobs(undefined, [{ ...block, device: 'ide0-hd0', offset: 5 }])).toMatchObject([
      { id: 'ide0-hd0', current: 5, total: 67108864 },
    ]);
  });

  it('carries the error of a concluded job', () => {
    const [row] = mergeJobs([{ ...job, status: 'concluded', error: 'Input/output error' }], []);
    expect(row?.error).toBe('Input/output error');
  });
});

describe('rate and time left', () => {
  it('measures the pace between samples and estimates the rest', () => {
    let samples = addSample([], { at: 0, current: 0 });
    samples = addSample(samples, { at: 1000, current: 8 * 2 ** 20 });
    samples = addSample(samples, { at: 2000, current: 16 * 2 ** 20 });
    const rate = progressRate(samples, 2000);
    expect(rate).toBe(8 * 2 ** 20);
    expect(timeLeftMs({ current: 16 * 2 ** 20, total: 64 * 2 ** 20 }, rate)).toBe(6000);
  });

  it('says nothing from a single sample, and slows down when the job stalls', () => {
    const one = addSample([], { at: 0, current: 100 });
    expect(progressRate(one, 5000)).toBeNull();
    const two = addSample(one, { at: 1000, current: 200 });
    expect(progressRate(two, 1000)).toBe(100);
    expect(progressRate(two, 4000)).toBe(25);
    expect(timeLeftMs({ current: 1, total: 2 }, null)).toBeNull();
  });

  it('forgets samples outside the window, and restarts when progress goes back', () => {
    let samples = addSample([], { at: 0, current: 0 });
    samples = addSample(samples, { at: RATE_WINDOW_MS + 5000, current: 10 });
    samples = addSample(samples, { at: RATE_WINDOW_MS + 6000, current: 20 });
    expect(samples.map((s) => s.current)).toEqual([10, 20]);
    expect(addSample(samples, { at: RATE_WINDOW_MS + 7000, current: 3 })).toEqual([
      { at: RATE_WINDOW_MS + 7000, current: 3 },
    ]);
  });
});

describe('job start times from the journal', () => {
  it('takes the latest created record of each job, and its end once it concluded', () => {
    const rec = (seq: number, id: string, status: string, seconds: number) => ({
      seq,
      vm: 'vm',
      event: 'JOB_STATUS_CHANGE',
      data: { id, status },
      timestamp: { seconds, microseconds: 500_000 },
      received: new Date(seconds * 1000).toISOString(),
    });
    const page = {
      events: [
        rec(6, 'mr0', 'concluded', 50),
        rec(5, 'mr0', 'created', 40),
        rec(4, 'bk0', 'running', 30),
        rec(3, 'bk0', 'created', 30),
        rec(2, 'bk0', 'created', 10),
      ],
      next: null,
    };
    expect(jobTimes(page, ['bk0', 'mr0', 'other'])).toEqual({
      bk0: { start: 30_500 },
      mr0: { start: 40_500, end: 50_500 },
    });
  });
});

describe('units', () => {
  it('formats durations with two units at most', () => {
    expect(formatDuration(4_900)).toBe('4 s');
    expect(formatDuration(75_000)).toBe('1 min 15 s');
    expect(formatDuration(3_725_000)).toBe('1 h 2 min');
  });

  it('never shows 100 % before the end', () => {
    expect(percent(999, 1000)).toBe(99);
    expect(percent(1000, 1000)).toBe(100);
    expect(percent(5, 0)).toBe(0);
  });
});
