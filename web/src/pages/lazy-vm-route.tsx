// A VM's pages load as their own chunk: the first page (the VM list) stays small.
import { lazy, Suspense } from 'react';

const loadVmRoute = () => import('./vm-route.tsx');

const VmRoute = lazy(() => loadVmRoute().then((m) => ({ default: m.VmRoute })));

/**
 * Starts loading the chunk now: a deep link to a VM's page fetches it while the app's own code is
 * still starting, instead of after the first render asks for it (the browser keeps one copy).
 */
export function preloadVmRoute(): void {
  void loadVmRoute().catch(() => {
    // The render's own import reports a failure (the Suspense boundary); this one is only a head start.
  });
}

export function LazyVmRoute({ name }: { name: string }) {
  return (
    <Suspense fallback={<p className="muted">Loading {name}…</p>}>
      <VmRoute name={name} />
    </Suspense>
  );
}
