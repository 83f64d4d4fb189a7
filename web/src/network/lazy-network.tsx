// The Network section loads as its own chunk.
import { lazy, Suspense } from 'react';

const NetworkPage = lazy(() => import('./network-page.tsx').then((m) => ({ default: m.NetworkPage })));

export function LazyNetwork({ vm }: { vm: string }) {
  return (
    <Suspense fallback={<p className="muted">Loading the network page…</p>}>
      <NetworkPage vm={vm} />
    </Suspense>
  );
}
