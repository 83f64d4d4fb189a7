// The audit page loads as its own chunk: the first page stays small.
import { lazy, Suspense } from 'react';

const AuditPage = lazy(() => import('./audit-page.tsx'));

export function LazyAudit() {
  return (
    <Suspense fallback={<p className="muted">Loading the audit trail…</p>}>
      <AuditPage />
    </Suspense>
  );
}
