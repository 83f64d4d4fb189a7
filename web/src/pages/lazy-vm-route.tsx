// A VM's pages load as their own chunk: the first page (the VM list) stays small.
import { lazy, Suspense } from 'react';

const VmRoute = lazy(() => import('./vm-route.tsx').then((m) => ({ default: m.VmRoute })));

export function LazyVmRoute({ name }: { name: string }) {
  return (
    <Suspense fallback={<p className="muted">Loading {name}…</p>}>
      <VmRoute name={name} />
    </Suspense>
  );
}
