// The header's way to the event log across all VMs ("All events", beside a VM's own "This VM's events"), with the open alert count.
import { Link, useRoute } from 'wouter';
import { useOpenAlerts } from '../api/alerts.ts';
import './alerts.css';
import { eventsPath } from '../qemu/routes.ts';

export function EventsLink() {
  const count = useOpenAlerts().length;
  const [active] = useRoute(eventsPath());
  return (
    <Link
      href={eventsPath()}
      className="header-events"
      aria-current={active ? 'page' : undefined}
      aria-label={count > 0 ? `All events, ${count} open alert${count === 1 ? '' : 's'}` : undefined}
    >
      All events
      {count > 0 ? (
        <span className="alert-count">
          {count} open alert{count === 1 ? '' : 's'}
        </span>
      ) : null}
    </Link>
  );
}
