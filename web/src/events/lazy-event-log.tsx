// The event log loads as its own chunk: the first page stays small.
import { lazy, Suspense } from 'react';

const EventLogPage = lazy(() => import('./event-log-page.tsx'));

/** `/events` (all VMs, `vm` absent) or a VM's events section. */
export function LazyEventLog({ vm }: { vm?: string }) {
  return (
    <Suspense fallback={<p className="muted">Loading the event log…</p>}>
      <EventLogPage {...(vm !== undefined ? { vm } : {})} />
    </Suspense>
  );
}
