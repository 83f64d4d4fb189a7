// The migration page loads as its own chunk: the first page stays small.
import { lazy, Suspense } from 'react';

const MigrationPage = lazy(() => import('./migration-page.tsx').then((m) => ({ default: m.MigrationPage })));

export function LazyMigrationPage({ vm }: { vm: string }) {
  return (
    <Suspense fallback={<p className="muted">Loading the migration page…</p>}>
      <MigrationPage vm={vm} />
    </Suspense>
  );
}
