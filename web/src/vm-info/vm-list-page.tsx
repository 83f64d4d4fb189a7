// `/`: every VM the console knows, with the proxy's connection to it.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'wouter';
import type { VmSummary } from '../../../protocol/api.ts';
import { formatQemuVersion } from '../../../protocol/qmp.ts';
import { QueryError } from '../ui/query-error.tsx';
import { vmInfoQueries } from './queries.ts';

export function vmPath(name: string): string {
  return `/vms/${encodeURIComponent(name)}`;
}

export function VmListPage() {
  const vms = useQuery(vmInfoQueries.list());
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
        <ul className="vm-list" aria-label="Virtual machines">
          {vms.data.map((vm) => (
            <VmListItem key={vm.name} vm={vm} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function VmListItem({ vm }: { vm: VmSummary }) {
  return (
    <li className="vm-card" data-state={vm.state}>
      <h2 className="vm-card-name">
        <Link href={vmPath(vm.name)}>{vm.name}</Link>
      </h2>
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
            <Since iso={vm.since} />
          </dd>
        </div>
        <div>
          <dt>QEMU</dt>
          <dd>{vm.version ? formatQemuVersion(vm.version) : <span className="muted">unknown</span>}</dd>
        </div>
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

function Since({ iso }: { iso: string }) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return null;
  return (
    <span className="muted">
      since <time dateTime={iso}>{date.toLocaleTimeString()}</time>
    </span>
  );
}
