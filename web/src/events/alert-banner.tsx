// Open alerts as a banner (the VM page, the event log): what failed in plain words, how often and since
// when, and what to do about it: "Resume VM" when the alert paused the VM, "Acknowledge". The run state
// is the console's (`GET /api/vms` and its stream): a card opens no QMP connection until Resume is confirmed.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { Link } from 'wouter';
import type { VmSummary } from '../../../protocol/api.ts';
import { alertSeverityOf, type JournalAlert } from '../../../protocol/journal.ts';
import { useAcknowledgeAlert, useOpenAlerts } from '../api/alerts.ts';
import { qmpClients } from '../api/qmp-clients.ts';
import { sessionQueryOptions } from '../api/session.ts';
import { vmsPushed, vmsQueryOptions } from '../api/vms.ts';
import { describeAlert, stoppedAgainText } from '../qemu/alert-text.ts';
import { buttonConfirmation, commandFacts } from '../qemu/commands.ts';
import { pausedByEvent } from '../qemu/events.ts';
import { refusalSentence } from '../qemu/refusal.ts';
import { alertsPath } from '../qemu/routes.ts';
import { ConfirmDialog } from '../ui/confirm-dialog.tsx';
import { useTimeFormatter } from '../ui/preferences.ts';
import { errorMessage } from '../ui/query-error.tsx';
import { NotificationButton } from './notifications.tsx';
import { PANIC_ALERT_EVENTS, PanicDetails } from './panic-details.tsx';
import './alerts.css';

/** Banners shown at most; the alerts page has the rest. */
const MAX_SHOWN = 10;

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
        <p className="muted">
          {alerts.length - MAX_SHOWN} more:{' '}
          <Link href={alertsPath({ state: 'open', vm: vm ?? null })}>see every open alert</Link>.
        </p>
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
  const formatTime = useTimeFormatter();
  const text = describeAlert(alert, formatTime);
  // Only this VM's summary: another VM's changes do not render the card.
  const summary = useQuery({
    ...vmsQueryOptions,
    select: (vms: VmSummary[]) => vms.find((v) => v.name === alert.vm),
  }).data;
  // Only while the console is connected: the last state is not "now" once QEMU has gone away.
  const runState = summary?.state === 'connected' ? summary.runState : null;
  const ack = useAcknowledgeAlert();
  // What the console would refuse this browser (a viewer): off, saying why, rather than failing after a click.
  const session = useQuery(sessionQueryOptions).data;
  const resumeRefused = refusalSentence(session, 'cont');
  const ackRefused = session?.role === 'viewer' ? 'Acknowledging alerts needs the operator role.' : null;
  const [confirming, setConfirming] = useState(false);
  const [failure, setFailure] = useState<Outcome | null>(null);
  // The alert's count when QEMU accepted cont: a higher count means the VM stopped again at once.
  const [resumedAt, setResumedAt] = useState<number | null>(null);
  const [resuming, setResuming] = useState(false);
  const resumeButton = useRef<HTMLButtonElement>(null);

  const paused = pausedByEvent(alert.event, runState?.status);
  const outcome: Outcome | null =
    failure ??
    (resumedAt === null
      ? null
      : alert.count > resumedAt
        ? { ok: false, text: stoppedAgainText(alert) }
        : runState?.running
          ? { ok: true, text: `${alert.vm} resumed: running.` }
          : { ok: true, text: `${alert.vm}: QEMU accepted cont; waiting for the run state.` });

  const resume = async () => {
    setConfirming(false);
    setResuming(true);
    setFailure(null);
    setResumedAt(null);
    const countBefore = alert.count;
    try {
      await qmpClients.runOnce(alert.vm, 'cont');
      setResumedAt(countBefore);
    } catch (err) {
      setFailure({ ok: false, text: `Could not resume ${alert.vm}: ${errorMessage(err)}` });
    } finally {
      setResuming(false);
      // The console stream brings the new run state; without it, ask for the list again.
      if (!vmsPushed.live) void queryClient.invalidateQueries({ queryKey: vmsQueryOptions.queryKey });
    }
  };

  return (
    <li
      className="alert-card"
      data-event={alert.event}
      data-severity={alertSeverityOf(alert)}
      aria-labelledby={`${ids}-h`}
    >
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
        {runState ? (
          <div>
            <dt>Run state now</dt>
            <dd>{runState.status}</dd>
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
        <ConfirmDialog
          {...buttonConfirmation('cont', alert.vm)}
          tone="primary"
          onConfirm={() => void resume()}
          onCancel={() => {
            setConfirming(false);
            resumeButton.current?.focus();
          }}
        >
          <p>{commandFacts('cont').consequence} The alert counts each new failure.</p>
        </ConfirmDialog>
      ) : null}
    </li>
  );
}
