// Block devices: per device, bytes/s, operations/s and failed operations (read and write) over the last
// minutes, from the console's samples of query-blockstats. Loaded with uPlot as its own chunk.
import { useQuery } from '@tanstack/react-query';
import { errorMessage } from '../ui/query-error.tsx';
import { BLOCK_CHARTS, columns, describeChart } from './chart-data.ts';
import './graphs.css';
import { statsQueryOptions } from './stats-query.ts';
import { UPlotChart } from './uplot-chart.tsx';

export function BlockCharts({ vm }: { vm: string }) {
  const stats = useQuery(statsQueryOptions(vm));
  const minutes = stats.data ? Math.round(stats.data.windowMs / 60_000) : 10;
  return (
    <section className="panel" aria-labelledby="block-io-heading">
      <div className="panel-head">
        <h2 id="block-io-heading">Block I/O, last {minutes} minutes</h2>
        {stats.data ? (
          <span className="muted panel-refreshed">
            sampled every {stats.data.intervalMs / 1000} s by the console;{' '}
            <span className="legend-read">read</span> and <span className="legend-write">write</span>
          </span>
        ) : null}
      </div>
      {stats.isError ? (
        <p className="notice notice-error">Could not load the history: {errorMessage(stats.error)}</p>
      ) : null}
      {stats.data?.block.length === 0 ? <p className="muted">No samples yet.</p> : null}
      {stats.data?.block.map((b) => (
        <section key={b.device} className="block-io-device" aria-label={`I/O of ${b.device}`}>
          <h3>
            <code>{b.device}</code>
          </h3>
          <div className="block-io-charts">
            {BLOCK_CHARTS.map((c) => (
              <figure key={c.id}>
                <figcaption>{c.title}</figcaption>
                <UPlotChart
                  label={describeChart(b.device, c.title, c.unit, b, c.pair)}
                  data={columns(b, c.pair)}
                  width={300}
                  height={140}
                  unit={c.unit}
                />
              </figure>
            ))}
          </div>
        </section>
      ))}
      {stats.data ? (
        <p className="muted small">
          vCPU and VM statistics: {stats.data.vmStats ? 'sampled' : (stats.data.vmStatsNote ?? 'none')}.
        </p>
      ) : null}
    </section>
  );
}
