// The VM pages' compact strip: while any job lives, its progress, with a link to the jobs page. Which
// jobs live is the console's word (the VM summary, pushed on its stream): no QMP connection is opened
// for a VM without jobs, and nothing shows. Only while a job does work is `query-jobs` polled for its
// progress, by the jobs page's chunk (loaded then).
import { useQuery } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { useRoute } from 'wouter';
import type { VmJob, VmSummary } from '../../../protocol/api.ts';
import { vmsQueryOptions } from '../api/vms.ts';
import { type JobStatus, jobIsActive, jobIsLive } from '../qemu/jobs.ts';
import { vmPath } from '../qemu/routes.ts';
import { JobStripView } from './job-strip-view.tsx';

const PolledJobStrip = lazy(() => import('./jobs-page.tsx').then((m) => ({ default: m.PolledJobStrip })));

const NO_JOBS: readonly VmJob[] = [];

export function JobStrip({ vm }: { vm: string }) {
  const [onJobsPage] = useRoute(vmPath(vm, 'jobs'));
  // Selected, so a VM's other changes (its run state in a storm) do not render the strip.
  const live = useQuery({
    ...vmsQueryOptions,
    select: (vms: VmSummary[]) =>
      vms.find((v) => v.name === vm)?.jobs?.filter((j) => jobIsLive(j.status as JobStatus)) ?? NO_JOBS,
  }).data;
  // The jobs page shows it all; a second observer there would poll a second time.
  if (onJobsPage || !live || live.length === 0) return null;
  const view = (jobs: readonly VmJob[]) => <JobStripView vm={vm} jobs={jobs} />;
  if (!live.some((j) => jobIsActive(j.status as JobStatus))) return view(live);
  return (
    <Suspense fallback={view(live)}>
      <PolledJobStrip vm={vm} jobs={live} view={view} />
    </Suspense>
  );
}
