// `/vms/NAME/jobs`: every job QEMU runs for the VM (backup, mirror, stream, commit, ...), its progress,
// pace and time left, the actions its status allows, and the block nodes' write thresholds.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { useEventInvalidation } from '../api/events-to-queries.ts';
import { useQmpClient } from '../api/qmp-clients.ts';
import { jobIsActive, jobIsLive } from '../qemu/jobs.ts';
import { ProgressBar } from '../ui/progress-bar.tsx';
import './jobs.css';
import { QueryError } from '../ui/query-error.tsx';
import { formatByteRate, formatBytes, formatDuration } from '../ui/units.ts';
import { usePageTitle } from '../ui/use-page-title.ts';
import { JobActions } from './job-actions.tsx';
import { type JobTimes, jobQueries, PROGRESS_POLL_MS } from './job-queries.ts';
import { type JobRow, timeLeftMs } from './job-rows.ts';
import { jobTone } from './job-tone.ts';
import { useJobRows } from './use-job-rows.ts';
import { WriteThresholds } from './write-thresholds.tsx';

// The VM pages' strip loads it from here while a job does work: one chunk for the jobs feature's polling.
export { PolledJobStrip } from './polled-job-strip.tsx';

/** Re-renders every second while `ticking`: elapsed times move even when nothing is polled. */
function useNow(ticking: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!ticking) return;
    const timer = setInterval(() => setNow(Date.now()), PROGRESS_POLL_MS);
    return () => clearInterval(timer);
  }, [ticking]);
  return ticking ? Math.max(now, Date.now()) : now;
}

export function JobsPage({ vm }: { vm: string }) {
  usePageTitle(`Jobs · ${vm}`);
  const ids = useId();
  const { state } = useQmpClient(vm);
  useEventInvalidation(vm);
  const { rows, rates, jobs, blockJobs } = useJobRows(vm);
  const times = useQuery(
    jobQueries.times(
      vm,
      rows.filter((r) => jobIsLive(r.status)),
    ),
  );
  const now = useNow(rows.some((r) => jobIsLive(r.status) && r.status !== 'concluded'));
  const connected = state === 'ready';

  return (
    <section className="page jobs-page" aria-labelledby={`${ids}-h`}>
      <h1 id={`${ids}-h`}>Jobs on {vm}</h1>
      <section className="panel" aria-labelledby={`${ids}-jobs`}>
        <h2 id={`${ids}-jobs`}>Block jobs</h2>
        <p className="muted small">
          From <code>query-jobs</code> and <code>query-block-jobs</code>, refreshed by{' '}
          <code>JOB_STATUS_CHANGE</code> and <code>BLOCK_JOB_*</code> events; progress is asked for every{' '}
          {PROGRESS_POLL_MS / 1000} s while a job runs. Start one in the composer (<code>drive-backup</code>,{' '}
          <code>drive-mirror</code>, <code>block-stream</code>, <code>block-commit</code>).
        </p>
        {!connected ? <p className="muted">Not connected to {vm}.</p> : null}
        {jobs.isError ? (
          <QueryError what="query-jobs failed" error={jobs.error} onRetry={() => void jobs.refetch()} />
        ) : null}
        {blockJobs.isError ? <QueryError what="query-block-jobs failed" error={blockJobs.error} /> : null}
        {jobs.isSuccess && rows.length === 0 ? <p>No jobs are running on {vm}.</p> : null}
        {rows.length > 0 ? (
          <JobTable vm={vm} rows={rows} rates={rates} times={times.data ?? {}} now={now} />
        ) : null}
      </section>
      <WriteThresholds vm={vm} connected={connected} />
    </section>
  );
}

function JobTable({
  vm,
  rows,
  rates,
  times,
  now,
}: {
  vm: string;
  rows: JobRow[];
  rates: ReadonlyMap<string, number | null>;
  times: Record<string, JobTimes>;
  now: number;
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <div className="table-scroll" tabIndex={0}>
      <table className="data-table jobs-table">
        <thead>
          <tr>
            <th scope="col">Job</th>
            <th scope="col">Type</th>
            <th scope="col">Device</th>
            <th scope="col">Status</th>
            <th scope="col">Progress</th>
            <th scope="col">Speed</th>
            <th scope="col">Elapsed</th>
            <th scope="col">Time left</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <JobTableRow
              key={row.id}
              vm={vm}
              row={row}
              rate={rates.get(row.id) ?? null}
              times={times[row.id]}
              now={now}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What the time-left column says when there is no estimate to give. */
function noEstimate(row: JobRow): string {
  if (row.status === 'ready') return 'in sync (ready to complete)';
  if (row.status === 'paused' || row.status === 'standby') return 'paused';
  if (row.status === 'pending') return 'waiting to be finalized';
  if (row.status === 'concluded') return row.error ? 'failed' : 'done';
  return jobIsActive(row.status) ? 'measuring…' : '—';
}

function JobTableRow({
  vm,
  row,
  rate,
  times,
  now,
}: {
  vm: string;
  row: JobRow;
  rate: number | null;
  times: JobTimes | undefined;
  now: number;
}) {
  const left = jobIsActive(row.status) && row.status !== 'ready' ? timeLeftMs(row, rate) : null;
  const limit = row.block?.speed;
  return (
    <tr data-job-status={row.status}>
      <th scope="row">
        <code>{row.id}</code>
      </th>
      <td>{row.type}</td>
      <td>{row.block ? <code>{row.block.device}</code> : <span className="muted">not a block job</span>}</td>
      <td>
        <span className="badge" data-job-status={row.status}>
          {row.status}
        </span>
        {row.error ? <div className="job-error">{row.error}</div> : null}
        {row.block && row.block['io-status'] !== 'ok' ? (
          <div className="job-error">I/O status {row.block['io-status']}</div>
        ) : null}
      </td>
      <td className="progress-cell">
        <ProgressBar
          label={`Progress of ${row.type} job ${row.id}`}
          done={row.current}
          total={row.total}
          detail={`${formatBytes(row.current)} of ${formatBytes(row.total)}`}
          tone={jobTone(row)}
        />
      </td>
      <td>
        {rate !== null && jobIsActive(row.status) ? formatByteRate(rate) : <span className="muted">—</span>}
        {limit !== undefined ? (
          <div className="muted small">{limit > 0 ? `limit ${formatByteRate(limit)}` : 'no limit'}</div>
        ) : null}
      </td>
      <td>
        {times ? formatDuration((times.end ?? now) - times.start) : <span className="muted">unknown</span>}
      </td>
      <td>{left !== null ? formatDuration(left) : <span className="muted">{noEstimate(row)}</span>}</td>
      <td>
        <JobActions vm={vm} jobId={row.id} status={row.status} />
      </td>
    </tr>
  );
}
