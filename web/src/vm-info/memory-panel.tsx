// Memory: `query-memory-size-summary` (boot memory and hot-plugged memory).
import { useQuery } from '@tanstack/react-query';
import { useCommandAvailability, whenAvailable } from './capabilities.ts';
import { formatBytes, formatCount } from './format.ts';
import { PanelFrame } from './panel-frame.tsx';
import { vmInfoQueries } from './queries.ts';

export function MemoryPanel({ vm, connected }: { vm: string; connected: boolean }) {
  const available = useCommandAvailability(vm);
  const command = 'query-memory-size-summary';
  const memory = useQuery(whenAvailable(vmInfoQueries.memory(vm), available(command)));
  return (
    <PanelFrame
      id="memory"
      title="Memory"
      connected={connected}
      sources={[{ command, query: memory, available: available(command) }]}
    >
      {() => {
        const m = memory.data;
        if (!m) return null;
        const plugged = m['plugged-memory'];
        return (
          <dl className="facts">
            <Bytes term="Base memory" bytes={m['base-memory']} />
            {plugged !== undefined ? (
              <Bytes term="Hot-plugged memory" bytes={plugged} />
            ) : (
              <div>
                <dt>Hot-plugged memory</dt>
                <dd className="muted">not reported (no memory hotplug)</dd>
              </div>
            )}
            <Bytes term="Total" bytes={m['base-memory'] + (plugged ?? 0)} />
          </dl>
        );
      }}
    </PanelFrame>
  );
}

function Bytes({ term, bytes }: { term: string; bytes: number }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>
        {formatBytes(bytes)} <span className="muted small">({formatCount(bytes)} bytes)</span>
      </dd>
    </div>
  );
}
