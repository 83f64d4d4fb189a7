// Status: the run state and why, any disk that stopped the VM, and the run-state controls.
import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { Link } from 'wouter';
import { deviceLabel, troubledDevices } from './block-panel.tsx';
import { useCommandAvailability, whenAvailable } from './capabilities.ts';
import { PanelFrame } from './panel-frame.tsx';
import { vmInfoQueries } from './queries.ts';
import { RunControls } from './run-controls.tsx';
import { describeRunState } from './run-state.ts';

export function StatusPanel({
  vm,
  connected,
  blockHref,
}: {
  vm: string;
  connected: boolean;
  blockHref: string;
}) {
  const status = useQuery(vmInfoQueries.status(vm));
  const available = useCommandAvailability(vm);
  // Shared with the Block devices panel (same key): a failing disk shows here on every page.
  const block = useQuery(whenAvailable(vmInfoQueries.block(vm), available('query-block')));
  const ids = useId();
  const data = status.data;
  const troubled = block.data ? troubledDevices(block.data) : [];
  return (
    <PanelFrame
      id="status"
      title="Status"
      connected={connected}
      sources={[
        { command: 'query-status', query: status, available: true, what: 'Could not read the run state' },
      ]}
    >
      {() =>
        data ? (
          <div className="status-body">
            <div className="status-facts">
              <dl className="facts" data-stale={!connected || undefined}>
                <div>
                  <dt>Run state</dt>
                  <dd>
                    {/* A live region: a screen reader hears the state change (running → io-error). */}
                    <span
                      role="status"
                      aria-label="Run state"
                      aria-describedby={`${ids}-reason`}
                      className="badge badge-large"
                      data-status={data.status}
                    >
                      {data.status}
                    </span>
                  </dd>
                </div>
                <div>
                  <dt>Running</dt>
                  <dd>{data.running ? 'yes' : 'no'}</dd>
                </div>
              </dl>
              <p id={`${ids}-reason`} className="reason">
                {describeRunState(data.status)}
              </p>
              {troubled.length > 0 ? (
                <p className="notice notice-error">
                  <span>
                    Disk trouble:{' '}
                    {troubled.map((d, i) => (
                      <span key={deviceLabel(d)}>
                        {i > 0 ? ', ' : null}
                        <code>{deviceLabel(d)}</code>{' '}
                        {d['io-status'] === 'nospace' ? 'is full (nospace)' : 'failed'}
                      </span>
                    ))}
                    . <Link href={blockHref}>See block devices</Link>
                  </span>
                </p>
              ) : null}
            </div>
            <RunControls vm={vm} status={data} />
          </div>
        ) : null
      }
    </PanelFrame>
  );
}
