// The serial console loads as its own chunk (xterm.js): the first page stays small.
import { lazy, Suspense } from 'react';

const SerialPage = lazy(() => import('./serial-page.tsx').then((m) => ({ default: m.SerialPage })));

/** A VM's serial console section. */
export function LazySerial({ vm }: { vm: string }) {
  return (
    <Suspense fallback={<p className="muted">Loading the serial console…</p>}>
      <SerialPage vm={vm} />
    </Suspense>
  );
}
