// `/vms/:name`: one VM over its own QMP connection.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useId } from 'react';
import { Link } from 'wouter';
import type { VmSummary } from '../../../protocol/api.ts';
import { formatQemuVersion } from '../../../protocol/qmp.ts';
import { useEventInvalidation } from '../api/events-to-queries.ts';
import { useQmpClient } from '../api/qmp-clients.ts';
import { QueryError } from '../ui/query-error.tsx';
import { vmInfoQueries } from './queries.ts';
import { describeRunState } from './run-state.ts';

export function VmPage({ name }: { name: string }) {
  const vms = useQuery(vmInfoQueries.list());
  const summary = vms.data?.find((vm) => vm.name === name);
  if (vms.isSuccess && !summary) {
    return (
      <section className="page" aria-labelledby="vm-heading">
        <h1 id="vm-heading">{name}</h1>
        <div role="alert" className="notice notice-error">
          <p>The console has no VM named “{name}”.</p>
        </div>
        <p>
          <Link href="/">All virtual machines</Link>
        </p>
      </section>
    );
  }
  return <VmSession name={name} summary={summary} />;
}

function VmSession({ name, summary }: { name: string; summary: VmSummary | undefined }) {
  const { version, state, error } = useQmpClient(name);
  useEventInvalidation(name);
  useEffect(() => {
    document.title = `${name} · QMP Console`;
    return () => {
      document.title = 'QMP Console';
    };
  }, [name]);
  const shownVersion = version ?? summary?.version ?? null;
  return (
    <section className="page" aria-labelledby="vm-heading">
      <header className="vm-header">
        <h1 id="vm-heading">{name}</h1>
        <p className="vm-meta">
          <span>{shownVersion ? `QEMU ${formatQemuVersion(shownVersion)}` : 'QEMU version unknown'}</span>
          {summary ? <code className="muted">{summary.address}</code> : null}
        </p>
      </header>
      {state === 'closed' && error ? (
        <div role="alert" className="notice notice-error">
          <p>Disconnected: {error}. Reload the page to try again.</p>
        </div>
      ) : null}
      {state === 'reconnecting' && error ? <p className="notice notice-warn">Reconnecting… {error}</p> : null}
      <RunStatePanel name={name} connected={state === 'ready'} />
    </section>
  );
}

function RunStatePanel({ name, connected }: { name: string; connected: boolean }) {
  const status = useQuery(vmInfoQueries.status(name));
  const ids = useId();
  const data = status.data;
  return (
    <section className="panel" aria-labelledby={`${ids}-h`}>
      <h2 id={`${ids}-h`}>Status</h2>
      {data ? (
        <>
          <dl className="facts" data-stale={!connected || undefined}>
            <div>
              <dt>Run state</dt>
              <dd>
                {/* A live region: a screen reader hears the state change (running → io-error). */}
                <span
                  role="status"
                  aria-label="Run state"
                  aria-describedby={`${ids}-reason`}
                  className="badge"
                  data-status={data.status}
                >
                  {data.status}
                </span>
              </dd>
            </div>
            <div>
              <dt>Running</dt>
              <dd>{data.running ? 'yes' : 'no'}</dd>
            </div>
          </dl>
          <p id={`${ids}-reason`} className="reason">
            {describeRunState(data.status)}
          </p>
          {!connected ? <p className="muted">Last known state; not connected.</p> : null}
        </>
      ) : !connected ? (
        <p className="muted">Waiting for the QMP connection…</p>
      ) : status.isError && !status.isFetching ? null : (
        <p className="muted">Loading the run state…</p>
      )}
      {/* An error from before a reconnect stays hidden while the refresh it triggered runs. */}
      {status.isError && connected && !status.isFetching ? (
        <QueryError
          what="Could not read the run state"
          error={status.error}
          onRetry={() => void status.refetch()}
        />
      ) : null}
    </section>
  );
}
