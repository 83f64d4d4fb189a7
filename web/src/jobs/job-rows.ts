// One row per job: `query-jobs` (status, progress) joined with `query-block-jobs` (rate limit, io-status),
// and the estimates QEMU does not give: how fast the job moves and when it will be done.
import type { BlockJobInfo, JobInfo, JobStatus } from '../qemu/jobs.ts';

export interface JobRow {
  id: string;
  type: string;
  status: JobStatus;
  current: number;
  total: number;
  error: string | null;
  /** The block-job view of the same job, when it is one. */
  block: BlockJobInfo | null;
}

/**
 * Every job of `query-jobs`, with its block-job facts; a block job QEMU lists only in `query-block-jobs`
 * (or when `query-jobs` failed) still gets a row from `offset`/`len`.
 */
export function mergeJobs(
  jobs: readonly JobInfo[] | undefined,
  blockJobs: readonly BlockJobInfo[] | undefined,
): JobRow[] {
  const byId = new Map((blockJobs ?? []).map((b) => [b.device, b]));
  const rows: JobRow[] = (jobs ?? []).map((j) => ({
    id: j.id,
    type: j.type,
    status: j.status,
    current: j['current-progress'],
    total: j['total-progress'],
    error: j.error ?? byId.get(j.id)?.error ?? null,
    block: byId.get(j.id) ?? null,
  }));
  const seen = new Set(rows.map((r) => r.id));
  for (const b of blockJobs ?? []) {
    if (seen.has(b.device)) continue;
    rows.push({
      id: b.device,
      type: b.type,
      status: b.status,
      current: b.offset,
      total: b.len,
      error: b.error ?? null,
      block: b,
    });
  }
  return rows;
}

export interface ProgressSample {
  at: number;
  current: number;
}

/** Samples older than this do not count towards the rate: it follows the job's recent pace. */
export const RATE_WINDOW_MS = 15_000;

/** Adds a sample (when the value moved) and drops those older than the window but the newest of them. */
export function addSample(samples: readonly ProgressSample[], sample: ProgressSample): ProgressSample[] {
  const last = samples.at(-1);
  // Progress only grows; a smaller value is a new job with the same id.
  if (last && sample.current < last.current) return [sample];
  if (last && sample.current === last.current) return [...samples];
  const recent = samples.filter((s) => s.at >= sample.at - RATE_WINDOW_MS);
  const base = recent.length === 0 && last ? [last] : recent;
  return [...base, sample];
}

/** Units per second over the samples, or null with fewer than two samples a moment apart. */
export function progressRate(samples: readonly ProgressSample[], now: number): number | null {
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last || last.at - first.at < 500) return null;
  // A job that has not moved since its last sample is slowing down: count the time since then too.
  const span = Math.max(now, last.at) - first.at;
  return span > 0 ? (last.current - first.current) / (span / 1000) : null;
}

/** Milliseconds left at `rate` units per second, or null when the rate says nothing. */
export function timeLeftMs(row: Pick<JobRow, 'current' | 'total'>, rate: number | null): number | null {
  if (rate === null || rate <= 0 || !(row.total > 0)) return null;
  return (Math.max(row.total - row.current, 0) / rate) * 1000;
}
