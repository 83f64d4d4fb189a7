// The header's way to the event log across all VMs ("All events", beside a VM's own "This VM's events").
import { Link, useRoute } from 'wouter';
import './alerts.css';
import { eventsPath } from '../qemu/routes.ts';

export function EventsLink() {
  const [active] = useRoute(eventsPath());
  return (
    <Link href={eventsPath()} className="header-events" aria-current={active ? 'page' : undefined}>
      All events
    </Link>
  );
}
