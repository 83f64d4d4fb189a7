// While a job does work, its progress moves faster than its status: the strip then asks QEMU with
// `query-jobs` once a second (the VM's QMP connection is open only meanwhile). Which jobs live and in
// what status stays the console's word (the VM summary); only the progress comes from the poll.
import type { ReactNode } from 'react';
import type { VmJob } from '../../../protocol/api.ts';
import { useEventInvalidation } from '../api/events-to-queries.ts';
import { useJobRows } from './use-job-rows.ts';

export interface PolledJobStripProps {
  vm: string;
  jobs: readonly VmJob[];
  /** The strip's markup (it stays in the VM page's chunk). */
  view: (jobs: readonly VmJob[]) => ReactNode;
}

export function PolledJobStrip({ vm, jobs, view }: PolledJobStripProps) {
  useEventInvalidation(vm);
  const { rows } = useJobRows(vm, { withBlockJobs: false });
  const polled = new Map(rows.map((r) => [r.id, r]));
  return view(
    jobs.map((job) => {
      const row = polled.get(job.id);
      return row ? { ...job, current: row.current, total: row.total } : job;
    }),
  );
}
