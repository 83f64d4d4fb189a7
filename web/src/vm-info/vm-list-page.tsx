// `/`: every VM the console knows: the proxy's connection to it, its run state, its QEMU version and open
// alerts — all from the console (`GET /api/vms` and the console stream); the list opens no QMP connection.
import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { Link } from 'wouter';
import type { VmSummary } from '../../../protocol/api.ts';
import { formatQemuVersion } from '../../../protocol/qmp.ts';
import { HttpError } from '../api/http.ts';
import { openAlertsPath, vmPath } from '../qemu/routes.ts';
import { describeRunState, resumesIntoKnownFault } from '../qemu/run-state.ts';
import { QueryError } from '../ui/query-error.tsx';
import { ConnectionSince } from '../ui/since.tsx';
import { type OpenAlertCounts, vmInfoQueries } from './queries.ts';
import './vm-info.css';

export type VmSort = 'name' | 'attention';

/** The VMs whose name or address holds `search`, by name or with the ones needing attention first. */
export function filterAndSortVms(
  vms: readonly VmSummary[],
  search: string,
  sort: VmSort,
  openAlerts: ReadonlyMap<string, number> | undefined,
): VmSummary[] {
  const q = search.trim().toLowerCase();
  const shown = q
    ? vms.filter((v) => v.name.toLowerCase().includes(q) || v.address.toLowerCase().includes(q))
    : [...vms];
  const rank = (v: VmSummary) =>
    v.state === 'disconnected'
      ? 0
      : (openAlerts?.get(v.name) ?? 0) > 0 || resumesIntoKnownFault(v.runState?.status)
        ? 1
        : v.state === 'connecting'
          ? 2
          : 3;
  return shown.sort((a, b) => (sort === 'attention' ? rank(a) - rank(b) : 0) || a.name.localeCompare(b.name));
}

/** `thumbnail`: what another feature shows on each VM's card (a picture of its screen). */
export function VmListPage({ thumbnail }: { thumbnail?: (vm: VmSummary) => ReactNode } = {}) {
  const vms = useQuery(vmInfoQueries.list());
  const alerts = useQuery(vmInfoQueries.openAlertCounts());
  // A console without the alerts API (404) shows no count rather than an error.
  const noAlertsApi = alerts.error instanceof HttpError && alerts.error.status === 404;
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<VmSort>('name');
  const shown = vms.data ? filterAndSortVms(vms.data, search, sort, alerts.data?.byVm) : [];
  return (
    <section aria-labelledby="vm-list-heading" className="page">
      <h1 id="vm-list-heading">Virtual machines</h1>
      {vms.isPending ? <p className="muted">Loading VMs…</p> : null}
      {vms.isError ? (
        <QueryError
          what={vms.data ? 'Could not refresh the VM list' : 'Could not load the VM list'}
          error={vms.error}
          onRetry={() => void vms.refetch()}
        />
      ) : null}
      {vms.data?.length === 0 ? <p>No VMs are configured.</p> : null}
      {vms.data && vms.data.length > 0 ? (
        <div className="vm-list-tools">
          <label>
            Search VMs{' '}
            <input
              type="search"
              value={search}
              placeholder="name or address"
              onChange={(e) => setSearch(e.target.value)}
            />
          </label>
          <label>
            Sort by{' '}
            <select value={sort} onChange={(e) => setSort(e.target.value as VmSort)}>
              <option value="name">name</option>
              <option value="attention">needs attention first</option>
            </select>
          </label>
        </div>
      ) : null}
      {vms.data && vms.data.length > 0 && shown.length === 0 ? <p>No VM matches “{search.trim()}”.</p> : null}
      {shown.length > 0 ? (
        <ul className="vm-list" aria-label="Virtual machines">
          {shown.map((vm) => (
            <VmListItem
              key={vm.name}
              vm={vm}
              alerts={noAlertsApi ? null : alerts.data}
              alertsError={alerts.error}
              thumbnail={thumbnail}
            />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function VmListItem({
  vm,
  alerts,
  alertsError,
  thumbnail,
}: {
  vm: VmSummary;
  thumbnail: ((vm: VmSummary) => ReactNode) | undefined;
  /** undefined while loading, null when the console has no alerts API. */
  alerts: OpenAlertCounts | null | undefined;
  alertsError: Error | null;
}) {
  const openAlerts = alerts?.byVm.get(vm.name) ?? 0;
  const fault = vm.state === 'connected' && resumesIntoKnownFault(vm.runState?.status);
  // The accent is the worst thing known: lost, an open alert or a fault state beats "connected".
  const attention = vm.state === 'disconnected' ? 'lost' : openAlerts > 0 || fault ? 'alert' : undefined;
  return (
    <li className="vm-card" data-state={vm.state} data-attention={attention}>
      <h2 className="vm-card-name">
        <Link href={vmPath(vm.name)}>{vm.name}</Link>
      </h2>
      {thumbnail?.(vm)}
      <dl className="facts">
        <div>
          <dt>Address</dt>
          <dd>
            <code>{vm.address}</code>
          </dd>
        </div>
        <div>
          <dt>Connection</dt>
          <dd>
            <span className="badge" data-state={vm.state}>
              {vm.state}
            </span>{' '}
            <ConnectionSince state={vm.state} iso={vm.since} />
          </dd>
        </div>
        <div>
          <dt>Run state</dt>
          <dd>
            <RunState vm={vm} />
          </dd>
        </div>
        <div>
          <dt>QEMU</dt>
          <dd>{vm.version ? formatQemuVersion(vm.version) : <span className="muted">unknown</span>}</dd>
        </div>
        {alerts !== null ? (
          <div>
            <dt>Open alerts</dt>
            <dd>
              <AlertCount
                vm={vm.name}
                ids={alerts?.idsByVm.get(vm.name)}
                count={alerts?.byVm.get(vm.name)}
                loaded={alerts !== undefined}
                truncated={alerts?.truncated}
                error={alertsError}
              />
            </dd>
          </div>
        ) : null}
        {vm.error && vm.state !== 'connected' ? (
          <div className="fact-error">
            <dt>Error</dt>
            <dd>{vm.error}</dd>
          </div>
        ) : null}
      </dl>
    </li>
  );
}

/** The run state the console keeps for the VM (null while it has no session to it). */
function RunState({ vm }: { vm: VmSummary }) {
  const run = vm.state === 'connected' ? vm.runState : null;
  if (!run) return <span className="muted">{vm.state === 'connected' ? 'asking…' : 'unknown'}</span>;
  return (
    <>
      <span className="badge" data-status={run.status}>
        {run.status}
      </span>
      <div className="muted small">{describeRunState(run.status)}</div>
    </>
  );
}

/** The count, as a link: to the VM's one alert, or to its open alerts. */
function AlertCount({
  vm,
  ids = [],
  count = 0,
  loaded,
  truncated,
  error,
}: {
  vm: string;
  ids: readonly number[] | undefined;
  count: number | undefined;
  loaded: boolean;
  truncated: boolean | undefined;
  error: Error | null;
}) {
  if (!loaded) return error ? <span className="muted">unknown</span> : <span className="muted">…</span>;
  if (count === 0) return <span className="muted">none</span>;
  return (
    <Link
      href={openAlertsPath(truncated ? [] : ids, vm)}
      className="badge badge-alert"
      aria-label={`${count}${truncated ? ' or more' : ''} open alert${count === 1 ? '' : 's'} on ${vm}`}
    >
      {count}
      {truncated ? '+' : null} open
    </Link>
  );
}
