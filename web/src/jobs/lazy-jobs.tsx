// The jobs page loads as its own chunk: the first page stays small.
import { lazy, Suspense } from 'react';

const JobsPage = lazy(() => import('./jobs-page.tsx').then((m) => ({ default: m.JobsPage })));

export function LazyJobsPage({ vm }: { vm: string }) {
  return (
    <Suspense fallback={<p className="muted">Loading the jobs page…</p>}>
      <JobsPage vm={vm} />
    </Suspense>
  );
}
