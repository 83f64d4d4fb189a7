// A VM's pages load as their own chunk: the first page (the VM list) stays small.
import { type ComponentType, lazy, Suspense, useState } from 'react';

type VmRouteModule = typeof import('./vm-route.tsx');

/** The chunk once it has loaded: a page mounted after that renders it at once, without suspending. */
let loaded: VmRouteModule | null = null;

const loadVmRoute = () =>
  import('./vm-route.tsx').then((m) => {
    loaded = m;
    return m;
  });

const VmRouteLater = lazy(() => loadVmRoute().then((m) => ({ default: m.VmRoute })));

/**
 * Starts loading the chunk now: a deep link to a VM's page fetches it while the app's own code is
 * still starting, instead of after the first render asks for it (the browser keeps one copy). Settles
 * once the chunk is in, or has failed (the render's own import then reports it).
 */
export function preloadVmRoute(): Promise<void> {
  return loadVmRoute().then(
    () => undefined,
    () => undefined,
  );
}

export function LazyVmRoute({ name }: { name: string }) {
  // Chosen once per mount: a suspended render is revealed no sooner than 300 ms after its fallback
  // (React's throttle), which a chunk already in must not cost the run state's first paint.
  const [VmRoute] = useState<ComponentType<{ name: string }>>(() => loaded?.VmRoute ?? VmRouteLater);
  return (
    <Suspense fallback={<p className="muted">Loading {name}…</p>}>
      <VmRoute name={name} />
    </Suspense>
  );
}
