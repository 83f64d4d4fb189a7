// Status: the run state and why, any disk that stopped the VM, and the run-state controls. The run state
// is the console's (`GET /api/vms`, kept current by the console stream): it paints with the page's first
// API answer, before this tab's QMP connection is up, and costs QEMU no query.
import { type UseQueryResult, useQuery } from '@tanstack/react-query';
import { useId, useRef } from 'react';
import { Link } from 'wouter';
import type { VmRunState } from '../../../protocol/api.ts';
import { describeRunState } from '../qemu/run-state.ts';
import { deviceLabel, troubledDevices } from './block-panel.tsx';
import { useCommandAvailability, whenAvailable } from './capabilities.ts';
import { PanelFrame } from './panel-frame.tsx';
import { vmInfoQueries } from './queries.ts';
import { RunControls } from './run-controls.tsx';

/**
 * The run state the console keeps for the VM, as a query result: the last one known while the console
 * has no session to the VM (then `connected` is false and the panel says it is not current).
 */
function useConsoleRunState(vm: string): { query: UseQueryResult<VmRunState>; connected: boolean } {
  const vms = useQuery(vmInfoQueries.list());
  const summary = vms.data?.find((v) => v.name === vm);
  const lastKnown = useRef<VmRunState | undefined>(undefined);
  if (summary?.runState) lastKnown.current = summary.runState;
  const query = { ...vms, data: lastKnown.current } as UseQueryResult<VmRunState>;
  // Unknown (still loading, or the list failed) is not "disconnected": the panel then says why.
  return { query, connected: summary === undefined || summary.state === 'connected' };
}

/**
 * `compact` (every tab but Overview): the run state and its controls only, so the tab's own content
 * starts near the top on a phone; the reason is the badge's description (title) instead of a paragraph.
 */
export function StatusPanel({
  vm,
  blockHref,
  compact = false,
}: {
  vm: string;
  blockHref: string;
  compact?: boolean;
}) {
  const { query: status, connected } = useConsoleRunState(vm);
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
      waitingFor="the console's connection to the VM"
    >
      {() =>
        data ? (
          <div className="status-body" data-compact={compact || undefined}>
            <div className="status-facts">
              <dl className="facts" data-stale={!connected || undefined}>
                <div>
                  <dt>Run state</dt>
                  <dd>
                    {/* A live region: a screen reader hears each change of state. */}
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
                {compact ? null : (
                  <div>
                    <dt>Running</dt>
                    <dd>{data.running ? 'yes' : 'no'}</dd>
                  </div>
                )}
              </dl>
              <p id={`${ids}-reason`} className={compact ? 'sr-only' : 'reason'}>
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
