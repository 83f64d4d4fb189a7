// The jobs feature's queries. Events (JOB_STATUS_CHANGE, BLOCK_JOB_*) make them stale; while a job is
// doing work, `query-jobs` alone is polled once a second for its progress (one small command).
import { queryOptions } from '@tanstack/react-query';
import type { JournalPage } from '../../../protocol/journal.ts';
import { fetchJson } from '../api/http.ts';
import { qmpQueryOptions } from '../api/qmp-query.ts';
import { type BlockJobInfo, type JobInfo, jobIsActive } from '../qemu/jobs.ts';

/** How often a running job's progress is asked for. */
export const PROGRESS_POLL_MS = 1000;

export interface BlockNodeInfo {
  'node-name': string;
  drv: string;
  file: string;
  ro: boolean;
  /** Bytes; 0 = no threshold armed. */
  write_threshold: number;
  image?: { 'virtual-size': number; filename: string; format: string };
}

export const jobQueries = {
  /** `query-jobs`, polled while any job does work. */
  jobs: (vm: string) => ({
    ...qmpQueryOptions<JobInfo[]>(vm, 'query-jobs'),
    refetchInterval: (q: { state: { data?: JobInfo[] } }) =>
      q.state.data?.some((j) => jobIsActive(j.status)) ? PROGRESS_POLL_MS : false,
  }),
  blockJobs: (vm: string) => qmpQueryOptions<BlockJobInfo[]>(vm, 'query-block-jobs'),
  /** Every block node, flat: where write thresholds are set. */
  blockNodes: (vm: string) => qmpQueryOptions<BlockNodeInfo[]>(vm, 'query-named-block-nodes', { flat: true }),
  /**
   * When each job was created and, once it has, concluded: from the journal's JOB_STATUS_CHANGE records
   * (QEMU's own timestamps), since QEMU does not say how long a job has run. Keyed on each job's id and
   * status, so a new job or a status change asks the console again (never QEMU).
   */
  times: (vm: string, jobs: readonly { id: string; status: string }[]) =>
    queryOptions({
      queryKey: ['journal', 'job-times', vm, jobs.map((j) => `${j.id}:${j.status}`).sort()] as const,
      enabled: jobs.length > 0,
      staleTime: Number.POSITIVE_INFINITY,
      retry: false,
      queryFn: async ({ signal }) => {
        const url = `/api/vms/${encodeURIComponent(vm)}/events?event=JOB_STATUS_CHANGE&order=desc&limit=1000`;
        const page = await fetchJson<JournalPage>(url, { signal });
        return jobTimes(
          page,
          jobs.map((j) => j.id),
        );
      },
    }),
};

export interface JobTimes {
  /** ms since the epoch. */
  start: number;
  /** When it concluded, if it has. */
  end?: number;
}

/** Each wanted job's latest `created` time, and its `concluded` time after that (newest records first). */
export function jobTimes(page: JournalPage, ids: readonly string[]): Record<string, JobTimes> {
  const wanted = new Set(ids);
  const times: Record<string, JobTimes> = {};
  const ends: Record<string, number> = {};
  for (const r of page.events) {
    const id = r.data?.id;
    if (typeof id !== 'string' || !wanted.has(id) || id in times) continue;
    const { seconds, microseconds } = r.timestamp;
    const at = seconds >= 0 ? seconds * 1000 + Math.floor(microseconds / 1000) : Date.parse(r.received);
    if (r.data?.status === 'concluded' && !(id in ends)) ends[id] = at;
    if (r.data?.status === 'created')
      times[id] = ends[id] !== undefined ? { start: at, end: ends[id] } : { start: at };
  }
  return times;
}
