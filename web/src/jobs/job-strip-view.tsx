// The strip's markup: each live job's type, id, status and progress, and a link to the jobs page.
import { Link } from 'wouter';
import type { VmJob } from '../../../protocol/api.ts';
import type { JobStatus } from '../qemu/jobs.ts';
import { vmPath } from '../qemu/routes.ts';
import { ProgressBar } from '../ui/progress-bar.tsx';
import './jobs.css';
import { jobTone } from './job-tone.ts';

export function JobStripView({ vm, jobs }: { vm: string; jobs: readonly VmJob[] }) {
  return (
    <section className="job-strip" aria-label={`Jobs running on ${vm}`}>
      <ul>
        {jobs.map((job) => (
          <li key={job.id}>
            <span className="job-strip-name">
              {job.type} <code>{job.id}</code>{' '}
              <span className="badge" data-job-status={job.status}>
                {job.status}
              </span>
            </span>
            <ProgressBar
              compact
              label={`Progress of ${job.type} job ${job.id}`}
              done={job.current}
              total={job.total}
              tone={jobTone({ status: job.status as JobStatus, error: job.error })}
            />
          </li>
        ))}
      </ul>
      <Link href={vmPath(vm, 'jobs')}>All jobs on {vm}</Link>
    </section>
  );
}
