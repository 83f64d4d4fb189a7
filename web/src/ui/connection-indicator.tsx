// The current VM's QMP connection, always visible in the header.
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

/** `role="status"` named "Connection: connected" (or connecting, reconnecting, disconnected). */
export function ConnectionIndicator({ vm }: { vm: string }) {
  const { state, error, attempt } = useQmpClient(vm);
  const label = connectionLabel(state);
  const detail = state === 'ready' ? null : error;
  return (
    <div
      role="status"
      aria-label={`Connection: ${label}`}
      className="connection-indicator"
      data-state={label}
      data-client-state={state}
      title={detail ?? undefined}
    >
      <span className="connection-dot" aria-hidden="true" />
      <span className="connection-text">
        <span className="connection-vm">{vm}</span> {label}
        {state === 'reconnecting' && attempt > 1 ? ` (attempt ${attempt})` : null}
      </span>
    </div>
  );
}
