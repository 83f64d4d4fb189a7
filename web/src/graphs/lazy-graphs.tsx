// The charts load with uPlot as their own chunk: the first page stays small.
import { lazy, Suspense } from 'react';

const BlockCharts = lazy(() => import('./block-charts.tsx').then((m) => ({ default: m.BlockCharts })));
const IoSparklines = lazy(() => import('./sparklines.tsx').then((m) => ({ default: m.IoSparklines })));

export function LazyBlockCharts({ vm }: { vm: string }) {
  return (
    <Suspense fallback={<p className="muted">Loading the I/O charts…</p>}>
      <BlockCharts vm={vm} />
    </Suspense>
  );
}

export function LazyIoSparklines({ vm }: { vm: string }) {
  return (
    <Suspense fallback={null}>
      <IoSparklines vm={vm} />
    </Suspense>
  );
}
