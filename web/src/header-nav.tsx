// The header's links to the console-wide pages: every VM's events, the alerts (with the open count,
// leading to the alert), and for operators the audit trail. One <nav>, so a screen reader lists it
// among the page's landmarks.
import { AlertsNav } from './alerts/alerts-nav.tsx';
import { AuditLink } from './audit/audit-link.tsx';
import { EventsLink } from './events/events-link.tsx';
import './header-nav.css';

export function HeaderNav() {
  return (
    <nav className="header-nav" aria-label="Console">
      <EventsLink />
      <AlertsNav />
      <AuditLink />
    </nav>
  );
}
