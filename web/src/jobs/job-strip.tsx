// The VM pages' compact strip: while any job lives, its progress, with a link to the jobs page. Only
// `query-jobs` (polled only while one runs); nothing at all shows when there are none.
import { Link, useRoute } from 'wouter';
import { useEventInvalidation } from '../api/events-to-queries.ts';
import { jobIsLive } from '../qemu/jobs.ts';
import { vmPath } from '../qemu/routes.ts';
import { ProgressBar } from '../ui/progress-bar.tsx';
import './jobs.css';
import { jobTone } from './job-tone.ts';
import { useJobRows } from './use-job-rows.ts';

export function JobStrip({ vm }: { vm: string }) {
  const [onJobsPage] = useRoute(vmPath(vm, 'jobs'));
  // The jobs page shows it all; a second observer there would poll a second time.
  return onJobsPage ? null : <LiveJobStrip vm={vm} />;
}

function LiveJobStrip({ vm }: { vm: string }) {
  useEventInvalidation(vm);
  const { rows } = useJobRows(vm, { withBlockJobs: false });
  const live = rows.filter((r) => jobIsLive(r.status));
  if (live.length === 0) return null;
  return (
    <section className="job-strip" aria-label={`Jobs running on ${vm}`}>
      <ul>
        {live.map((row) => (
          <li key={row.id}>
            <span className="job-strip-name">
              {row.type} <code>{row.id}</code>{' '}
              <span className="badge" data-job-status={row.status}>
                {row.status}
              </span>
            </span>
            <ProgressBar
              compact
              label={`Progress of ${row.type} job ${row.id}`}
              done={row.current}
              total={row.total}
              tone={jobTone(row)}
            />
          </li>
        ))}
      </ul>
      <Link href={vmPath(vm, 'jobs')}>All jobs on {vm}</Link>
    </section>
  );
}
