// The Block devices page's charts load with uPlot as their own chunk: no other page needs uPlot.
import { lazy, Suspense } from 'react';

const BlockCharts = lazy(() => import('./block-charts.tsx').then((m) => ({ default: m.BlockCharts })));

export function LazyBlockCharts({ vm }: { vm: string }) {
  return (
    <Suspense fallback={<p className="muted">Loading the I/O charts…</p>}>
      <BlockCharts vm={vm} />
    </Suspense>
  );
}
