// `/vms/NAME/serial`: the VM's ringbuf serial ports in a terminal. The console drains each ring and keeps
// its output (ringbuf-read consumes), so every tab shows the same bytes; typing is `ringbuf-write` over
// this browser's QMP session, so the command policy and the audit trail apply to it. QEMU puts written
// bytes into the ring itself: a ringbuf chardev has no input side, the guest never reads them.
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { decideCommand } from '../../../protocol/command-policy.ts';
import { useQmpClient } from '../api/qmp-clients.ts';
import { qmpQueryOptions } from '../api/qmp-query.ts';
import { sessionQueryOptions } from '../api/session.ts';
import { errorMessage } from '../ui/query-error.tsx';
import { usePageTitle } from '../ui/use-page-title.ts';
import { SerialTerminal } from './serial-terminal.tsx';

interface ChardevInfo {
  label: string;
  filename: string;
  'frontend-open': boolean;
}

export function SerialPage({ vm }: { vm: string }) {
  usePageTitle(`Serial · ${vm}`);
  const { state } = useQmpClient(vm);
  const chardevs = useQuery(qmpQueryOptions<ChardevInfo[]>(vm, 'query-chardev'));
  const rings = (chardevs.data ?? []).filter((c) => c.filename === 'ringbuf');
  const [chosen, setChosen] = useState<string | null>(null);
  const device = chosen ?? rings[0]?.label ?? null;
  const session = useQuery(sessionQueryOptions).data;
  const write = session
    ? decideCommand('ringbuf-write', session.role, session.policy)
    : { allowed: true as const };
  const readOnlyWhy = write.allowed
    ? null
    : write.why === 'deny'
      ? `The console denies ringbuf-write to everyone (--deny '${write.pattern}'): read only.`
      : 'Viewers may read the serial console, not type into it.';
  const pickerId = useId();
  return (
    <section className="page" aria-labelledby="serial-heading">
      <h1 id="serial-heading">Serial console of {vm}</h1>
      {chardevs.isPending ? (
        <p className="muted">
          {state === 'ready' ? 'Asking QEMU for its character devices…' : 'Waiting for the QMP connection…'}
        </p>
      ) : null}
      {chardevs.isError ? (
        <p className="notice notice-error">
          Could not list the character devices: {errorMessage(chardevs.error)}
        </p>
      ) : null}
      {chardevs.data && rings.length === 0 ? (
        <p className="notice notice-info">
          This VM has no <code>ringbuf</code> character device. Give it one to read its serial port here:{' '}
          <code>-chardev ringbuf,id=ser0,size=65536 -serial chardev:ser0</code>.
        </p>
      ) : null}
      {rings.length > 1 ? (
        <p>
          <label htmlFor={pickerId}>Device </label>
          <select id={pickerId} value={device ?? ''} onChange={(e) => setChosen(e.target.value)}>
            {rings.map((r) => (
              <option key={r.label} value={r.label}>
                {r.label}
              </option>
            ))}
          </select>
        </p>
      ) : null}
      {device ? (
        <>
          {readOnlyWhy ? (
            <p className="notice notice-info">{readOnlyWhy}</p>
          ) : (
            <p className="muted">
              Typing writes into the ring with <code>ringbuf-write</code>: the bytes join the log (a note for
              everyone watching), but a <code>ringbuf</code> has no input side, so the guest does not read
              them. For a console the guest reads, give it a <code>socket</code> or <code>pty</code> chardev.
            </p>
          )}
          <SerialTerminal key={device} vm={vm} device={device} canWrite={readOnlyWhy === null} />
        </>
      ) : null}
    </section>
  );
}
