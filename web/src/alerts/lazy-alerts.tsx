// The alerts page loads as its own chunk: the first page stays small.
import { lazy, Suspense } from 'react';

const AlertsPage = lazy(() => import('./alerts-page.tsx'));

/** `/alerts`, or `/alerts/ID` (focusId) scrolled to one alert. */
export function LazyAlerts({ focusId }: { focusId: number | null }) {
  return (
    <Suspense fallback={<p className="muted">Loading alerts…</p>}>
      <AlertsPage focusId={focusId} />
    </Suspense>
  );
}
