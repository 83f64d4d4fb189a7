// The VM page's glance at I/O: one sparkline of read and write bytes/s per block device. Two SVG
// polylines: a glance needs no axes or cursor, so the overview does not load uPlot (the Block devices
// page's charts do).
import { useQuery } from '@tanstack/react-query';
import type { BlockHistory } from '../../../protocol/guest.ts';
import { describeChart, type Pair, sparklinePoints } from './chart-data.ts';
import './graphs.css';
import { statsQueryOptions } from './stats-query.ts';

const WIDTH = 180;
const HEIGHT = 36;
const PAIR: Pair = ['readBytesPerS', 'writeBytesPerS'];

function Sparkline({ history }: { history: BlockHistory }) {
  const { device } = history;
  const top = Math.max(1, ...history[PAIR[0]], ...history[PAIR[1]]);
  return (
    <svg
      role="img"
      aria-label={describeChart(device, 'Bytes/s', 'B/s', history, PAIR)}
      className="sparkline"
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
    >
      <polyline className="sparkline-read" points={sparklinePoints(history, PAIR[0], top, WIDTH, HEIGHT)} />
      <polyline className="sparkline-write" points={sparklinePoints(history, PAIR[1], top, WIDTH, HEIGHT)} />
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
            <Sparkline history={b} />
          </li>
        ))}
      </ul>
    </section>
  );
}
