// A device's history (uPlot's columns, x in seconds after its `since`) as one chart's data, and what a chart says
// in words.
import type { BlockHistory, BlockSeries } from '../../../protocol/guest.ts';

export type Pair = readonly [BlockSeries, BlockSeries];

export const BLOCK_CHARTS: { id: string; title: string; unit: string; pair: Pair }[] = [
  { id: 'bytes', title: 'Bytes/s', unit: 'B/s', pair: ['readBytesPerS', 'writeBytesPerS'] },
  { id: 'ops', title: 'Operations/s', unit: 'ops/s', pair: ['readOpsPerS', 'writeOpsPerS'] },
  { id: 'failed', title: 'Failed operations', unit: 'failed', pair: ['failedReads', 'failedWrites'] },
];

export function columns(history: BlockHistory, pair: Pair): [number[], number[], number[]] {
  const since = history.since / 1000;
  return [history.t.map((t) => since + t), history[pair[0]], history[pair[1]]];
}

/** 1536 → "1.5 KiB" (binary, as QEMU's sizes). */
export function formatRate(v: number, unit: string): string {
  if (unit !== 'B/s') return `${Number.isInteger(v) ? v : v.toFixed(1)} ${unit}`;
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let i = 0;
  let x = v;
  while (x >= 1024 && i < units.length - 1) {
    x /= 1024;
    i++;
  }
  return `${i === 0 ? Math.round(x) : x.toFixed(1)} ${units[i]}/s`;
}

/** The chart in words: its latest values and the peaks of the window (a chart's text alternative). */
export function describeChart(
  device: string,
  title: string,
  unit: string,
  history: BlockHistory,
  pair: Pair,
) {
  if (history.t.length === 0) return `${device} ${title.toLowerCase()}: no samples yet`;
  const last = (k: BlockSeries) => history[k][history[k].length - 1]!;
  const peak = (k: BlockSeries) => Math.max(...history[k]);
  return (
    `${device} ${title.toLowerCase()}: read ${formatRate(last(pair[0]), unit)}, write ${formatRate(last(pair[1]), unit)} now; ` +
    `peaks read ${formatRate(peak(pair[0]), unit)}, write ${formatRate(peak(pair[1]), unit)}`
  );
}

/** `points` of an SVG polyline: time across, 0 at the bottom, the window's peak (at least 1) at the top. */
export function sparklinePoints(
  history: BlockHistory,
  key: BlockSeries,
  top: number,
  width: number,
  height: number,
): string {
  const { t } = history;
  if (t.length === 0) return '';
  const span = Math.max(0.001, t[t.length - 1]! - t[0]!);
  return history[key]
    .map((v, i) => {
      const x = ((t[i]! - t[0]!) / span) * width;
      const y = height - 1 - (v / top) * (height - 2);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}
