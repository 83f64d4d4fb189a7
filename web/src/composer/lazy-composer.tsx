// The composer loads as its own chunk (parser, schema resolver, JSON tree): the first page stays small.
import { lazy, Suspense } from 'react';

const ComposerPanel = lazy(() => import('./composer-panel.tsx').then((m) => ({ default: m.ComposerPanel })));

/** A VM's command composer section. */
export function LazyComposer({ vm }: { vm: string }) {
  return (
    <Suspense fallback={<p className="muted">Loading the command composer…</p>}>
      <ComposerPanel vm={vm} />
    </Suspense>
  );
}
