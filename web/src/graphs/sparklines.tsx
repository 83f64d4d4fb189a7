// The VM page's glance at I/O: one sparkline of read and write bytes/s per block device. Two SVG
// polylines: a glance needs no axes or cursor, so the overview does not load uPlot (the Block devices
// page's charts do).
import { useQuery } from '@tanstack/react-query';
import type { BlockSample } from '../../../protocol/guest.ts';
import { describeChart, type Pair, sparklinePoints } from './chart-data.ts';
import './graphs.css';
import { statsQueryOptions } from './stats-query.ts';

const WIDTH = 180;
const HEIGHT = 36;
const PAIR: Pair = ['readBytesPerS', 'writeBytesPerS'];

function Sparkline({ device, samples }: { device: string; samples: BlockSample[] }) {
  const top = Math.max(1, ...samples.map((s) => Math.max(s[PAIR[0]], s[PAIR[1]])));
  return (
    <svg
      role="img"
      aria-label={describeChart(device, 'Bytes/s', 'B/s', samples, PAIR)}
      className="sparkline"
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
    >
      <polyline className="sparkline-read" points={sparklinePoints(samples, PAIR[0], top, WIDTH, HEIGHT)} />
      <polyline className="sparkline-write" points={sparklinePoints(samples, PAIR[1], top, WIDTH, HEIGHT)} />
    </svg>
  );
}

export function IoSparklines({ vm }: { vm: string }) {
  const stats = useQuery(statsQueryOptions(vm));
  const devices = stats.data?.block ?? [];
  if (devices.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="io-sparklines-heading">
      <h2 id="io-sparklines-heading">Disk I/O</h2>
      <ul className="sparklines">
        {devices.map((b) => (
          <li key={b.device}>
            <code>{b.device}</code>
            <Sparkline device={b.device} samples={b.samples} />
          </li>
        ))}
      </ul>
    </section>
  );
}
