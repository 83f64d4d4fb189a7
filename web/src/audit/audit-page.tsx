// `/audit` (operators): every command a client ran through the console, newest first — when, on which
// VM, the command and its argument names (never their values), the outcome, and who (role, address).
// A viewer is told the page needs the operator role and nothing is asked of the console, which would
// refuse it.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { Link, useLocation, useSearch } from 'wouter';
import type { AuditRecord } from '../../../protocol/journal.ts';
import { HttpError } from '../api/http.ts';
import { sessionQueryOptions } from '../api/session.ts';
import { vmsQueryOptions } from '../api/vms.ts';
import { auditPath, vmPath } from '../qemu/routes.ts';
import { QueryError } from '../ui/query-error.tsx';
import { Timestamp } from '../ui/timestamp.tsx';
import { usePageTitle } from '../ui/use-page-title.ts';
import { auditQueries } from './queries.ts';
import './audit.css';

export default function AuditPage() {
  usePageTitle('Audit');
  const ids = useId();
  const session = useQuery(sessionQueryOptions);
  // No session API (null): the console predates roles and everybody is an operator.
  const operator = session.isSuccess && (session.data === null || session.data.role === 'operator');
  return (
    <section className="page audit-page" aria-labelledby={`${ids}-h`}>
      <h1 id={`${ids}-h`}>Audit</h1>
      {session.isPending ? <p className="muted">Checking your role…</p> : null}
      {session.isError ? (
        <QueryError
          what="Could not learn your role"
          error={session.error}
          onRetry={() => void session.refetch()}
        />
      ) : null}
      {session.isSuccess && !operator ? (
        <p className="notice" role="note">
          The audit trail needs the operator role: you are a viewer. Ask an operator, or open the console with
          an operator token.
        </p>
      ) : null}
      {operator ? <AuditTrail /> : null}
    </section>
  );
}

function AuditTrail() {
  const vm = new URLSearchParams(useSearch()).get('vm') || null;
  const [, navigate] = useLocation();
  const trail = useInfiniteQuery(auditQueries.list(vm));
  const records = trail.data?.pages.flatMap((p) => p.records) ?? [];
  const noJournal = trail.error instanceof HttpError && trail.error.status === 404;
  return (
    <>
      <p className="muted">
        Every command a browser or client ran through the console, newest first: argument names only, never
        their values.
      </p>
      <div className="audit-tools">
        <VmFilter vm={vm} onChange={(next) => navigate(auditPath(next), { replace: true })} />
        <button type="button" onClick={() => void trail.refetch()} disabled={trail.isFetching}>
          {trail.isFetching && !trail.isFetchingNextPage ? 'Refreshing…' : 'Refresh'}
        </button>
      </div>
      {noJournal ? <p>This console keeps no journal, so it keeps no audit trail.</p> : null}
      {trail.isError && !noJournal ? (
        <QueryError
          what="Could not load the audit trail"
          error={trail.error}
          onRetry={() => void trail.refetch()}
        />
      ) : null}
      {trail.isPending ? <p className="muted">Loading the audit trail…</p> : null}
      {trail.isSuccess && records.length === 0 ? (
        <p className="muted">No commands{vm ? ` on ${vm}` : ''} yet.</p>
      ) : null}
      {records.length > 0 ? (
        <div className="table-scroll">
          <table
            className="data-table audit-table"
            aria-label={`Commands${vm ? ` on ${vm}` : ''}, newest first`}
          >
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">VM</th>
                <th scope="col">Command</th>
                <th scope="col">Arguments</th>
                <th scope="col">Outcome</th>
                <th scope="col">Role</th>
                <th scope="col">From</th>
              </tr>
            </thead>
            <tbody>
              {records.map((r) => (
                <AuditRow key={r.id} record={r} />
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {trail.hasNextPage ? (
        <button type="button" onClick={() => void trail.fetchNextPage()} disabled={trail.isFetchingNextPage}>
          {trail.isFetchingNextPage ? 'Loading older commands…' : 'Load older commands'}
        </button>
      ) : null}
    </>
  );
}

function AuditRow({ record: r }: { record: AuditRecord }) {
  return (
    <tr data-outcome={r.outcome}>
      <td>
        <Timestamp at={r.at} />
      </td>
      <td>
        <Link href={vmPath(r.vm)}>{r.vm}</Link>
      </td>
      <th scope="row">
        <code>{r.command}</code>
      </th>
      <td>
        {r.argumentNames.length > 0 ? (
          <code>{r.argumentNames.join(', ')}</code>
        ) : (
          <span className="muted">none</span>
        )}
      </td>
      <td>
        <span className="badge" data-outcome={r.outcome}>
          {r.outcome}
        </span>
        {r.errorClass ? <span className="muted small"> {r.errorClass}</span> : null}
        {/* A summary record stands for a window's refusals after the first. */}
        {r.count > 1 ? <span className="small"> ×{r.count.toLocaleString('en-US')}</span> : null}
      </td>
      <td>{r.role}</td>
      <td>
        <code>{r.remote}</code>
      </td>
    </tr>
  );
}

function VmFilter({ vm, onChange }: { vm: string | null; onChange(vm: string | null): void }) {
  const ids = useId();
  const vms = useQuery(vmsQueryOptions).data ?? [];
  const names = [...new Set([...vms.map((v) => v.name), ...(vm ? [vm] : [])])].sort();
  return (
    <search className="audit-filter" aria-label="Filter the audit trail">
      <label htmlFor={`${ids}-vm`}>VM</label>
      <select id={`${ids}-vm`} value={vm ?? ''} onChange={(e) => onChange(e.target.value || null)}>
        <option value="">All VMs</option>
        {names.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </search>
  );
}
