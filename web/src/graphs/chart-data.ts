// Block samples as uPlot's columns (x in seconds), and what a chart says in words.
import type { BlockSample } from '../../../protocol/guest.ts';

export type Pair = readonly [keyof BlockSample, keyof BlockSample];

export const BLOCK_CHARTS: { id: string; title: string; unit: string; pair: Pair }[] = [
  { id: 'bytes', title: 'Bytes/s', unit: 'B/s', pair: ['readBytesPerS', 'writeBytesPerS'] },
  { id: 'ops', title: 'Operations/s', unit: 'ops/s', pair: ['readOpsPerS', 'writeOpsPerS'] },
  { id: 'failed', title: 'Failed operations', unit: 'failed', pair: ['failedReads', 'failedWrites'] },
];

export function columns(samples: BlockSample[], pair: Pair): [number[], number[], number[]] {
  return [samples.map((s) => s.t / 1000), samples.map((s) => s[pair[0]]), samples.map((s) => s[pair[1]])];
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
  samples: BlockSample[],
  pair: Pair,
) {
  if (samples.length === 0) return `${device} ${title.toLowerCase()}: no samples yet`;
  const last = samples[samples.length - 1]!;
  const peak = (k: keyof BlockSample) => Math.max(...samples.map((s) => s[k]));
  return (
    `${device} ${title.toLowerCase()}: read ${formatRate(last[pair[0]], unit)}, write ${formatRate(last[pair[1]], unit)} now; ` +
    `peaks read ${formatRate(peak(pair[0]), unit)}, write ${formatRate(peak(pair[1]), unit)}`
  );
}

/** `points` of an SVG polyline: time across, 0 at the bottom, the window's peak (at least 1) at the top. */
export function sparklinePoints(
  samples: BlockSample[],
  key: keyof BlockSample,
  top: number,
  width: number,
  height: number,
): string {
  if (samples.length === 0) return '';
  const t0 = samples[0]!.t;
  const span = Math.max(1, samples[samples.length - 1]!.t - t0);
  return samples
    .map((s) => {
      const x = ((s.t - t0) / span) * width;
      const y = height - 1 - (s[key] / top) * (height - 2);
      return `${x.toFixed(1)},${y.toFixed(1)}`;
    })
    .join(' ');
}
