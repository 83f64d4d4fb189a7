// The VM's jobs as rows, with each job's measured rate (kept across renders, per job id).
import { type UseQueryResult, useQuery } from '@tanstack/react-query';
import { useMemo, useRef } from 'react';
import type { BlockJobInfo, JobInfo } from '../qemu/jobs.ts';
import { jobQueries } from './job-queries.ts';
import { addSample, type JobRow, mergeJobs, type ProgressSample, progressRate } from './job-rows.ts';

export interface JobsView {
  rows: JobRow[];
  /** Units (bytes for block jobs) per second, by job id; null until it has moved twice. */
  rates: ReadonlyMap<string, number | null>;
  jobs: UseQueryResult<JobInfo[]>;
  blockJobs: UseQueryResult<BlockJobInfo[]>;
}

export function useJobRows(vm: string, { withBlockJobs = true } = {}): JobsView {
  const jobs = useQuery(jobQueries.jobs(vm));
  const blockJobsOptions = jobQueries.blockJobs(vm);
  const blockJobs = useQuery(withBlockJobs ? blockJobsOptions : { ...blockJobsOptions, enabled: false });
  const samples = useRef(new Map<string, ProgressSample[]>());
  const rows = useMemo(
    () => mergeJobs(jobs.data, withBlockJobs ? blockJobs.data : undefined),
    [jobs.data, blockJobs.data, withBlockJobs],
  );
  // Sampled when QEMU answered (dataUpdatedAt), not when React rendered.
  const at = jobs.dataUpdatedAt;
  const rates = useMemo(() => {
    const next = new Map<string, ProgressSample[]>();
    const out = new Map<string, number | null>();
    for (const row of rows) {
      const list = addSample(samples.current.get(row.id) ?? [], { at, current: row.current });
      next.set(row.id, list);
      out.set(row.id, progressRate(list, at));
    }
    samples.current = next;
    return out;
  }, [rows, at]);
  return { rows, rates, jobs, blockJobs };
}
