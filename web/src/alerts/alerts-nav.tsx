// The header's way to the alerts: "Alerts", and while any are open a badge counting them that leads
// straight to the alert when there is one (to the open alerts when there are more).
import { Link, useRoute } from 'wouter';
import { useOpenAlertIds } from '../api/alerts.ts';
import { alertsPath, openAlertsPath, ROUTE_PATTERNS } from '../qemu/routes.ts';

export function AlertsNav() {
  const open = useOpenAlertIds();
  const [active] = useRoute(ROUTE_PATTERNS.alerts);
  const count = open.length;
  return (
    <>
      <Link href={alertsPath()} className="header-link" aria-current={active ? 'page' : undefined}>
        Alerts
      </Link>
      {count > 0 ? (
        <Link href={openAlertsPath(open)} className="header-alert-count">
          {count.toLocaleString('en-US')} open alert{count === 1 ? '' : 's'}
        </Link>
      ) : null}
    </>
  );
}
