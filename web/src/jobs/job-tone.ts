import type { JobRow } from './job-rows.ts';

/** A failed job's bar is red, a paused one's amber. */
export function jobTone(row: Pick<JobRow, 'status' | 'error'>): 'normal' | 'warning' | 'error' {
  if (row.error) return 'error';
  return row.status === 'paused' || row.status === 'standby' ? 'warning' : 'normal';
}
