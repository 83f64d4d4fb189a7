// Open alerts as a banner (the VM page, the event log): what failed in plain words, how often and since
// when, and what to do about it: "Resume VM" when the alert paused the VM, "Acknowledge".
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { decideCommand } from '../../../protocol/command-policy.ts';
import type { JournalAlert } from '../../../protocol/journal.ts';
import { useAcknowledgeAlert, useOpenAlerts } from '../api/alerts.ts';
import { useEventInvalidation } from '../api/events-to-queries.ts';
import { qmpClients, useQmpClient } from '../api/qmp-clients.ts';
import { qmpQueryKey, qmpQueryOptions } from '../api/qmp-query.ts';
import { sessionQueryOptions } from '../api/session.ts';
import { errorMessage } from '../ui/query-error.tsx';
import { describeAlert } from './alert-text.ts';
import { NotificationButton } from './notifications.tsx';
import { PANIC_ALERT_EVENTS, PanicDetails } from './panic-details.tsx';
import { formatLocal } from './time-format.ts';

/** Banners shown at most; the event log has the rest. */
const MAX_SHOWN = 10;

/** The run state an alert's event leaves a paused VM in. */
const PAUSED_STATUS: Record<string, string> = {
  BLOCK_IO_ERROR: 'io-error',
  GUEST_PANICKED: 'guest-panicked',
  WATCHDOG: 'watchdog',
};

export function pausedByAlert(alert: Pick<JournalAlert, 'event'>, status: string | undefined): boolean {
  return status !== undefined && PAUSED_STATUS[alert.event] === status;
}

/** Every open alert, or one VM's. Renders nothing when there are none. */
export function AlertBanner({ vm }: { vm?: string }) {
  const alerts = useOpenAlerts(vm);
  if (alerts.length === 0) return null;
  const label = vm ? `Open alerts for ${vm}` : 'Open alerts';
  return (
    <section className="alert-banner" aria-label={label}>
      <div className="alert-banner-head">
        <p className="alert-banner-title">
          {alerts.length === 1 ? '1 open alert' : `${alerts.length.toLocaleString('en-US')} open alerts`}
        </p>
        <NotificationButton />
      </div>
      <ul className="alert-list">
        {alerts.slice(0, MAX_SHOWN).map((a) => (
          <AlertCard key={a.id} alert={a} />
        ))}
      </ul>
      {alerts.length > MAX_SHOWN ? (
        <p className="muted">{alerts.length - MAX_SHOWN} more: see the event log.</p>
      ) : null}
    </section>
  );
}

interface Outcome {
  ok: boolean;
  text: string;
}

function AlertCard({ alert }: { alert: JournalAlert }) {
  const ids = useId();
  const queryClient = useQueryClient();
  const text = describeAlert(alert, formatLocal);
  // The VM's own connection: its run state (kept fresh by the VM's events), and `cont`.
  const { state } = useQmpClient(alert.vm);
  useEventInvalidation(alert.vm);
  const status = useQuery(qmpQueryOptions<{ status: string }>(alert.vm, 'query-status'));
  const ack = useAcknowledgeAlert();
  // What the console would refuse this browser (a viewer): off, saying why, rather than failing after a click.
  const session = useQuery(sessionQueryOptions).data;
  const cont = session ? decideCommand('cont', session.role, session.policy) : null;
  const resumeRefused =
    cont === null || cont.allowed
      ? null
      : cont.why === 'deny'
        ? `The console denies cont to everyone (--deny '${cont.pattern}').`
        : 'Viewers may not run cont.';
  const ackRefused = session?.role === 'viewer' ? 'Acknowledging alerts needs the operator role.' : null;
  const [confirming, setConfirming] = useState(false);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [resuming, setResuming] = useState(false);
  const resumeButton = useRef<HTMLButtonElement>(null);

  const paused = state === 'ready' && pausedByAlert(alert, status.data?.status);

  const resume = async () => {
    setConfirming(false);
    setResuming(true);
    setOutcome(null);
    try {
      await qmpClients.get(alert.vm).execute('cont');
      setOutcome({ ok: true, text: `${alert.vm} resumed (QEMU accepted cont).` });
    } catch (err) {
      setOutcome({ ok: false, text: `Could not resume ${alert.vm}: ${errorMessage(err)}` });
    } finally {
      setResuming(false);
      void queryClient.invalidateQueries({ queryKey: qmpQueryKey(alert.vm, 'query-status') });
    }
  };

  return (
    <li className="alert-card" data-event={alert.event} aria-labelledby={`${ids}-h`}>
      <p className="alert-headline" id={`${ids}-h`}>
        {text.headline}
      </p>
      <dl className="alert-facts">
        {text.facts.map((f) => (
          <div key={f.label}>
            <dt>{f.label}</dt>
            <dd>{f.value}</dd>
          </div>
        ))}
        {/* Only while connected: the last answer is not "now" once QEMU has gone away. */}
        {status.data && state === 'ready' ? (
          <div>
            <dt>Run state now</dt>
            <dd>{status.data.status}</dd>
          </div>
        ) : null}
      </dl>
      {PANIC_ALERT_EVENTS.has(alert.event) ? <PanicDetails alert={alert} /> : null}
      <div className="alert-actions">
        {paused || resuming ? (
          <button
            type="button"
            ref={resumeButton}
            className="button-primary"
            aria-describedby={`${ids}-h`}
            disabled={resuming || resumeRefused !== null}
            title={resumeRefused ?? undefined}
            onClick={() => setConfirming(true)}
          >
            {resuming ? 'Resuming…' : 'Resume VM'}
          </button>
        ) : null}
        <button
          type="button"
          aria-describedby={`${ids}-h`}
          disabled={ack.isPending || ackRefused !== null}
          title={ackRefused ?? undefined}
          onClick={() => ack.mutate(alert.id)}
        >
          {ack.isPending ? 'Acknowledging…' : 'Acknowledge'}
        </button>
      </div>
      <p role="status" className="alert-outcome" data-ok={outcome ? String(outcome.ok) : undefined}>
        {ack.isError ? `Could not acknowledge: ${errorMessage(ack.error)}` : (outcome?.text ?? '')}
      </p>
      {confirming ? (
        <ConfirmResume
          vm={alert.vm}
          onConfirm={() => void resume()}
          onCancel={() => {
            setConfirming(false);
            resumeButton.current?.focus();
          }}
        />
      ) : null}
    </li>
  );
}

function ConfirmResume({
  vm,
  onConfirm,
  onCancel,
}: {
  vm: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ids = useId();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) {
      if (typeof d.showModal === 'function') d.showModal();
      else d.setAttribute('open', '');
    }
    return () => {
      if (d?.open) d.close();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="confirm-dialog"
      aria-labelledby={`${ids}-t`}
      aria-describedby={`${ids}-d`}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      <h2 id={`${ids}-t`}>Resume {vm}?</h2>
      <p id={`${ids}-d`}>
        QEMU runs the VM again (<code>cont</code>) and retries the failed I/O. If the disk still fails, the VM
        stops again and the alert counts one more.
      </p>
      <div className="dialog-actions">
        <button type="button" className="button-primary" onClick={onConfirm}>
          Resume {vm}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </dialog>
  );
}
