// CPUs: `query-cpus-fast` (it does not interrupt the vCPUs, unlike the old `query-cpus`).
import { useQuery } from '@tanstack/react-query';
import { useCommandAvailability, whenAvailable } from './capabilities.ts';
import { PanelFrame } from './panel-frame.tsx';
import type { CpuInfoFast } from './qapi.ts';
import { vmInfoQueries } from './queries.ts';

/** "socket 0, core 1, thread 0" from the CPU's topology properties. */
export function describeTopology(props: CpuInfoFast['props']): string {
  if (!props) return '';
  const parts: string[] = [];
  if (props['node-id'] !== undefined) parts.push(`node ${props['node-id']}`);
  if (props['socket-id'] !== undefined) parts.push(`socket ${props['socket-id']}`);
  if (props['die-id'] !== undefined) parts.push(`die ${props['die-id']}`);
  if (props['core-id'] !== undefined) parts.push(`core ${props['core-id']}`);
  if (props['thread-id'] !== undefined) parts.push(`thread ${props['thread-id']}`);
  return parts.join(', ');
}

export function CpusPanel({ vm, connected }: { vm: string; connected: boolean }) {
  const available = useCommandAvailability(vm);
  const cpus = useQuery(whenAvailable(vmInfoQueries.cpus(vm), available('query-cpus-fast')));
  return (
    <PanelFrame
      id="cpus"
      title="CPUs"
      connected={connected}
      sources={[{ command: 'query-cpus-fast', query: cpus, available: available('query-cpus-fast') }]}
    >
      {() => {
        const list = cpus.data ?? [];
        return (
          <>
            <p>
              {list.length} vCPU{list.length === 1 ? '' : 's'}
              {list[0] ? (
                <>
                  , target <code>{list[0].target}</code>
                </>
              ) : null}
            </p>
            {list.length > 0 ? (
              // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
              <div className="table-scroll" tabIndex={0}>
                <table className="data-table">
                  <thead>
                    <tr>
                      <th scope="col">CPU</th>
                      <th scope="col">Topology</th>
                      <th scope="col">Host thread</th>
                      <th scope="col">QOM path</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((cpu) => (
                      <tr key={cpu['cpu-index']}>
                        <th scope="row">{cpu['cpu-index']}</th>
                        <td>{describeTopology(cpu.props) || <span className="muted">—</span>}</td>
                        <td>
                          <code>{cpu['thread-id']}</code>
                        </td>
                        <td className="wrap-anywhere">
                          <code>{cpu['qom-path']}</code>
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            ) : null}
          </>
        );
      }}
    </PanelFrame>
  );
}
