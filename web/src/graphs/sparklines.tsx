// The VM page's glance at I/O: one sparkline of read and write bytes/s per block device.
import { useQuery } from '@tanstack/react-query';
import { columns, describeChart } from './chart-data.ts';
import './graphs.css';
import { statsQueryOptions } from './stats-query.ts';
import { UPlotChart } from './uplot-chart.tsx';

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
            <UPlotChart
              label={describeChart(b.device, 'Bytes/s', 'B/s', b.samples, [
                'readBytesPerS',
                'writeBytesPerS',
              ])}
              data={columns(b.samples, ['readBytesPerS', 'writeBytesPerS'])}
              width={180}
              height={36}
              bare
            />
          </li>
        ))}
      </ul>
    </section>
  );
}
