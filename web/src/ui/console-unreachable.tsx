// When this page cannot reach the console itself (the server stopped, the network is down), it says so
// once, on every page, instead of letting each VM look lost: what is shown is the last known state.
import { useConsoleUnreachableSince } from '../api/console-stream.ts';
import { Timestamp } from './timestamp.tsx';

export function ConsoleUnreachableBanner() {
  const since = useConsoleUnreachableSince();
  if (since === null) return null;
  return (
    <div role="alert" className="notice notice-error console-unreachable">
      <p>
        The console is unreachable since <Timestamp at={since} />: this page cannot reach the QMP Console
        server (stopped, or the network is down). Retrying; what is shown is the last known state, not the
        VMs' fault.
      </p>
    </div>
  );
}
