// A VM's connection, always visible in the header: this tab's own QMP connection on the pages that talk
// to QEMU, the console's connection to the VM (from `GET /api/vms` and the console stream) elsewhere.
import type { VmConnectionState } from '../../../protocol/api.ts';
import { useConsoleUnreachableSince } from '../api/console-stream.ts';
import { useQmpClient } from '../api/qmp-clients.ts';
import type { QmpClientState } from '../qmp/qmp-client.ts';

export type ConnectionLabel = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export function connectionLabel(state: QmpClientState): ConnectionLabel {
  switch (state) {
    case 'ready':
      return 'connected';
    case 'reconnecting':
      return 'reconnecting';
    case 'closed':
      return 'disconnected';
    default:
      return 'connecting';
  }
}

function Indicator({
  vm,
  label,
  detail,
  note,
  clientState,
}: {
  vm: string;
  label: ConnectionLabel;
  detail: string | null;
  note?: string | null;
  clientState?: string;
}) {
  return (
    <div
      role="status"
      aria-label={`Connection: ${label}`}
      className="connection-indicator"
      data-state={label}
      data-client-state={clientState}
      title={detail ?? undefined}
    >
      <span className="connection-dot" aria-hidden="true" />
      <span className="connection-text">
        <span className="connection-vm">{vm}</span> {label}
        {note}
      </span>
    </div>
  );
}

/** `role="status"` named "Connection: connected" (or connecting, reconnecting, disconnected): this tab's QMP connection. */
export function ConnectionIndicator({ vm }: { vm: string }) {
  const { state, error, attempt } = useQmpClient(vm);
  const consoleDown = useConsoleUnreachableSince() !== null && state !== 'ready';
  return (
    <Indicator
      vm={vm}
      label={connectionLabel(state)}
      detail={consoleDown ? 'The console is unreachable from this page.' : state === 'ready' ? null : error}
      note={
        consoleDown
          ? ' (console unreachable)'
          : state === 'reconnecting' && attempt > 1
            ? ` (attempt ${attempt})`
            : null
      }
      clientState={state}
    />
  );
}

/** The same, for the console's own connection to the VM: no QMP connection of this tab's. */
export function ConsoleConnectionIndicator({
  vm,
  state,
  error,
}: {
  vm: string;
  state: VmConnectionState;
  error: string | null;
}) {
  return <Indicator vm={vm} label={state} detail={state === 'connected' ? null : error} />;
}
