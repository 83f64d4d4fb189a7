// One table of alerts: what failed (a link to the alert itself), the VM, how often and when; open alerts
// offer Acknowledge, acknowledged ones say who acknowledged them and when.
import { useEffect, useRef } from 'react';
import { Link } from 'wouter';
import { alertSeverityOf, type JournalAlert } from '../../../protocol/journal.ts';
import { useAcknowledgeAlert } from '../api/alerts.ts';
import { describeAlert } from '../qemu/alert-text.ts';
import { alertPath, vmPath } from '../qemu/routes.ts';
import { useTimeFormatter } from '../ui/preferences.ts';
import { errorMessage } from '../ui/query-error.tsx';
import { Timestamp } from '../ui/timestamp.tsx';

export type AlertsTableKind = 'open' | 'acknowledged';

export interface AlertsTableProps {
  alerts: readonly JournalAlert[];
  /** The heading's id: the table's name. */
  labelledBy: string;
  /** The deep-linked alert: its row is marked, scrolled to and focused once it is shown. */
  focusId: number | null;
  /** Why this browser may not acknowledge (a viewer), or null. */
  ackRefused: string | null;
  /** After an acknowledgement: the page follows the alert to its new place. */
  onAcknowledged(alert: JournalAlert): void;
}

export function AlertsTable({ alerts, labelledBy, focusId, ackRefused, onAcknowledged }: AlertsTableProps) {
  return (
    <div className="table-scroll">
      <table className="data-table alerts-table" aria-labelledby={labelledBy}>
        <thead>
          <tr>
            <th scope="col">Alert</th>
            <th scope="col">VM</th>
            <th scope="col" className="num">
              Count
            </th>
            <th scope="col">First</th>
            <th scope="col">Latest</th>
            <th scope="col">Acknowledged by</th>
            <th scope="col">Acknowledged at</th>
          </tr>
        </thead>
        <tbody>
          {alerts.map((a) => (
            <AlertRow
              key={a.id}
              alert={a}
              focused={a.id === focusId}
              ackRefused={ackRefused}
              onAcknowledged={onAcknowledged}
            />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function AlertRow({
  alert,
  focused,
  ackRefused,
  onAcknowledged,
}: {
  alert: JournalAlert;
  focused: boolean;
  ackRefused: string | null;
  onAcknowledged(alert: JournalAlert): void;
}) {
  const row = useRef<HTMLTableRowElement>(null);
  useEffect(() => {
    if (!focused) return;
    row.current?.scrollIntoView?.({ block: 'center' });
    row.current?.focus({ preventScroll: true });
  }, [focused]);
  const formatTime = useTimeFormatter();
  const { headline } = describeAlert(alert, formatTime);
  return (
    <tr
      ref={row}
      id={`alert-${alert.id}`}
      tabIndex={-1}
      className="alert-row"
      data-severity={alertSeverityOf(alert)}
      data-state={alert.state}
      aria-current={focused ? 'true' : undefined}
    >
      <th scope="row">
        <Link href={alertPath(alert.id)}>{headline}</Link>
      </th>
      <td>
        <Link href={vmPath(alert.vm)}>{alert.vm}</Link>
      </td>
      <td className="num">{alert.count.toLocaleString('en-US')}</td>
      <td>
        <Timestamp at={alert.first} />
      </td>
      <td>{alert.count > 1 ? <Timestamp at={alert.last} /> : <span className="muted">—</span>}</td>
      {alert.state === 'open' ? (
        <td colSpan={2}>
          <AcknowledgeButton alert={alert} refused={ackRefused} onAcknowledged={onAcknowledged} />
        </td>
      ) : (
        <>
          <td>{alert.acknowledgedBy ?? <span className="muted">unknown</span>}</td>
          <td>
            {alert.acknowledgedAt ? (
              <Timestamp at={alert.acknowledgedAt} />
            ) : (
              <span className="muted">unknown</span>
            )}
          </td>
        </>
      )}
    </tr>
  );
}

function AcknowledgeButton({
  alert,
  refused,
  onAcknowledged,
}: {
  alert: JournalAlert;
  refused: string | null;
  onAcknowledged(alert: JournalAlert): void;
}) {
  const ack = useAcknowledgeAlert();
  return (
    <>
      <button
        type="button"
        aria-label={`Acknowledge alert ${alert.id} (${alert.vm})`}
        disabled={ack.isPending || refused !== null}
        title={refused ?? undefined}
        onClick={() => ack.mutate(alert.id, { onSuccess: onAcknowledged })}
      >
        {ack.isPending ? 'Acknowledging…' : 'Acknowledge'}
      </button>
      {ack.isError ? (
        <p role="alert" className="error small">
          Not acknowledged: {errorMessage(ack.error)}
        </p>
      ) : null}
    </>
  );
}
