// `/vms/NAME/network`: the VM's NICs with model, MAC, backend, link state and receive filter; operators
// set a link up or down (QMP `set_link`, confirmed first: the guest sees its cable pulled).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'wouter';
import { decideCommand } from '../../../protocol/command-policy.ts';
import type { NicInfo } from '../../../protocol/guest.ts';
import { sessionQueryOptions } from '../api/session.ts';
import { ConfirmDialog } from '../ui/confirm-dialog.tsx';
import { errorMessage } from '../ui/query-error.tsx';
import { usePageTitle } from '../ui/use-page-title.ts';
import { nicsQueryOptions, setLink } from './nics-api.ts';

const LINK_TEXT: Record<NicInfo['link'], string> = {
  up: 'up',
  down: 'down',
  unknown: 'not reported (QEMU 7.2 has no query for it; up unless set down)',
};

export function NetworkPage({ vm }: { vm: string }) {
  usePageTitle(`Network · ${vm}`);
  const nics = useQuery(nicsQueryOptions(vm));
  const session = useQuery(sessionQueryOptions).data;
  const decision = session
    ? decideCommand('set_link', session.role, session.policy)
    : { allowed: true as const };
  const refused = decision.allowed
    ? null
    : decision.why === 'deny'
      ? `The console denies set_link to everyone (--deny '${decision.pattern}').`
      : 'Viewers may not change a link.';
  const [confirming, setConfirming] = useState<{ nic: string; up: boolean } | null>(null);
  const [outcome, setOutcome] = useState('');
  const queryClient = useQueryClient();
  const change = useMutation({
    mutationFn: (v: { nic: string; up: boolean }) => setLink(vm, v.nic, v.up),
    onSuccess: (_r, v) => setOutcome(`${v.nic}: link set ${v.up ? 'up' : 'down'} (QEMU accepted set_link).`),
    onError: (err, v) => setOutcome(`Could not set ${v.nic}'s link: ${errorMessage(err)}`),
    onSettled: () => void queryClient.invalidateQueries({ queryKey: ['nics', vm] }),
  });
  return (
    <section className="page" aria-labelledby="network-heading">
      <h1 id="network-heading">Network of {vm}</h1>
      {nics.isPending ? <p className="muted">Reading the NICs…</p> : null}
      {nics.isError ? (
        <p className="notice notice-error">Could not read the NICs: {errorMessage(nics.error)}</p>
      ) : null}
      {nics.data?.nics.length === 0 ? <p className="notice notice-info">This VM has no NIC.</p> : null}
      {nics.data && nics.data.nics.length > 0 ? (
        <div className="table-scroll">
          <table className="data-table">
            <caption className="visually-hidden">NICs of {vm}</caption>
            <thead>
              <tr>
                <th scope="col">NIC</th>
                <th scope="col">Model</th>
                <th scope="col">MAC</th>
                <th scope="col">Backend</th>
                <th scope="col">Link</th>
                <th scope="col">Receive filter</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {nics.data.nics.map((n) => (
                <tr key={n.qomPath}>
                  <th scope="row">
                    <code>{n.name}</code>
                  </th>
                  <td>{n.model}</td>
                  <td>
                    <code>{n.mac ?? '?'}</code>
                  </td>
                  <td>{n.netdev ? <code>{n.netdev}</code> : <span className="muted">none</span>}</td>
                  <td>
                    <span className="badge" data-link={n.link}>
                      {n.link === 'unknown' ? 'unknown' : n.link}
                    </span>
                    {n.link === 'unknown' ? <div className="muted small">{LINK_TEXT.unknown}</div> : null}
                  </td>
                  <td>
                    {n.rxFilter ? (
                      <RxFilter f={n.rxFilter} />
                    ) : (
                      <span className="muted">not reported by this NIC model</span>
                    )}
                  </td>
                  <td>
                    <button
                      type="button"
                      disabled={refused !== null || change.isPending}
                      title={refused ?? undefined}
                      onClick={() => setConfirming({ nic: n.name, up: n.link === 'down' })}
                    >
                      {n.link === 'down' ? `Set ${n.name} link up` : `Set ${n.name} link down`}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <p role="status" className="muted">
        {outcome}
      </p>
      <p className="muted small">
        Receive-filter changes arrive as <code>NIC_RX_FILTER_CHANGED</code> events in{' '}
        <Link href={`/vms/${encodeURIComponent(vm)}/events`}>the event log</Link>.
      </p>
      {confirming ? (
        <ConfirmLink
          vm={vm}
          nic={confirming.nic}
          up={confirming.up}
          onConfirm={() => {
            change.mutate(confirming);
            setConfirming(null);
          }}
          onCancel={() => setConfirming(null)}
        />
      ) : null}
    </section>
  );
}

function RxFilter({ f }: { f: NonNullable<NicInfo['rxFilter']> }) {
  return (
    <span className="small">
      {f.promiscuous ? 'promiscuous' : 'filtered'}; unicast {f.unicast}, multicast {f.multicast}
      {f.broadcastAllowed ? ', broadcast' : ''}
      {f.multicastTable.length > 0 ? `; ${f.multicastTable.length} multicast addresses` : ''}
    </span>
  );
}

function ConfirmLink({
  vm,
  nic,
  up,
  onConfirm,
  onCancel,
}: {
  vm: string;
  nic: string;
  up: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const verb = up ? 'up' : 'down';
  return (
    <ConfirmDialog
      title={`Set ${nic}'s link ${verb} on ${vm}?`}
      confirmLabel={`Set link ${verb}`}
      tone={up ? 'primary' : 'danger'}
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      <p>
        {up
          ? 'The guest sees its cable plugged in again.'
          : 'The guest sees its cable pulled: its connections on this NIC stop until the link is up again.'}{' '}
        QEMU runs <code>set_link</code>.
      </p>
    </ConfirmDialog>
  );
}
