// Block devices: `query-block` joined with `query-blockstats`, a failing disk impossible to miss.
import { useQuery } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { STOPPED_REQUEST_NOT_COUNTED } from '../qemu/qemu-words.ts';
import { QueryError } from '../ui/query-error.tsx';
import { useCommandAvailability, whenAvailable } from './capabilities.ts';
import { formatBytes, formatCount } from './format.ts';
import { PanelFrame } from './panel-frame.tsx';
import type { BlockInfo, BlockStats } from './qapi.ts';
import { POLL_MS, vmInfoQueries } from './queries.ts';

export interface BlockRow {
  info: BlockInfo;
  stats: BlockStats | undefined;
}

/** A BlockBackend's stats by its name; by qdev path or node name when QEMU gave the name as "". */
export function joinBlockStats(
  devices: readonly BlockInfo[],
  stats: readonly BlockStats[] | undefined,
): BlockRow[] {
  return devices.map((info) => {
    const match = stats?.find((s) =>
      info.device
        ? s.device === info.device
        : (info.qdev !== undefined && s.qdev === info.qdev) ||
          (info.inserted?.['node-name'] !== undefined && s['node-name'] === info.inserted['node-name']),
    );
    return { info, stats: match };
  });
}

/** Devices whose io-status says the VM stopped on their errors. */
export function troubledDevices(devices: readonly BlockInfo[]): BlockInfo[] {
  return devices.filter((d) => d['io-status'] === 'failed' || d['io-status'] === 'nospace');
}

export function deviceLabel(info: BlockInfo): string {
  return info.device || info.inserted?.['node-name'] || info.qdev || '(unnamed)';
}

export function BlockPanel({ vm, connected }: { vm: string; connected: boolean }) {
  const available = useCommandAvailability(vm);
  const [autoRefresh, setAutoRefresh] = useState(true);
  const block = useQuery(whenAvailable(vmInfoQueries.block(vm), available('query-block')));
  const stats = useQuery({
    ...whenAvailable(vmInfoQueries.blockstats(vm), available('query-blockstats')),
    // Not while disconnected: each try would only fail with "not connected"; it resumes on reconnect.
    refetchInterval: autoRefresh && connected ? POLL_MS : false,
  });
  const checkboxId = useId();

  return (
    <PanelFrame
      id="block"
      title="Block devices"
      connected={connected}
      sources={[
        { command: 'query-block', query: block, available: available('query-block') },
        {
          command: 'query-blockstats',
          query: stats,
          available: available('query-blockstats'),
          optional: true,
        },
      ]}
      toolbar={
        available('query-blockstats') !== false ? (
          <span className="panel-toggle">
            <input
              id={checkboxId}
              type="checkbox"
              checked={autoRefresh}
              onChange={(e) => setAutoRefresh(e.currentTarget.checked)}
            />
            <label htmlFor={checkboxId}>Refresh statistics every {POLL_MS / 1000} s</label>
            {autoRefresh && !connected ? (
              <span className="muted small"> (paused while disconnected)</span>
            ) : null}
          </span>
        ) : null
      }
    >
      {() => (
        <>
          {stats.isError && !stats.isFetching && connected ? (
            <QueryError
              what="query-blockstats failed"
              error={stats.error}
              onRetry={() => void stats.refetch()}
            />
          ) : null}
          <BlockTable rows={joinBlockStats(block.data ?? [], stats.data)} />
        </>
      )}
    </PanelFrame>
  );
}

function BlockTable({ rows }: { rows: BlockRow[] }) {
  if (rows.length === 0) return <p className="muted">No block devices.</p>;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
    <div className="table-scroll" tabIndex={0}>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">Device</th>
            <th scope="col">Node name</th>
            <th scope="col">Image file</th>
            <th scope="col">Format</th>
            <th scope="col">Read-only</th>
            <th scope="col">Removable / tray</th>
            <th scope="col">I/O status</th>
            <th scope="col" className="num">
              Read
            </th>
            <th scope="col" className="num">
              Written
            </th>
            <th scope="col" className="num">
              Failed ops
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map(({ info, stats }) => (
            <BlockTableRow key={deviceLabel(info)} info={info} stats={stats} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function BlockTableRow({ info, stats }: BlockRow) {
  const inserted = info.inserted;
  const io = info['io-status'];
  const s = stats?.stats;
  const failedOps = s
    ? (s.failed_rd_operations ?? 0) + (s.failed_wr_operations ?? 0) + (s.failed_flush_operations ?? 0)
    : undefined;
  return (
    <tr data-io-status={io}>
      <th scope="row">
        <code>{deviceLabel(info)}</code>
        {info.qdev ? <div className="muted small">{info.qdev}</div> : null}
      </th>
      <td>{inserted?.['node-name'] ? <code>{inserted['node-name']}</code> : <None />}</td>
      <td className="wrap-anywhere">
        {inserted ? (
          <code>{inserted.image?.filename ?? inserted.file}</code>
        ) : (
          <span className="muted">no medium</span>
        )}
        {inserted?.image ? (
          <div className="muted small">{formatBytes(inserted.image['virtual-size'])}</div>
        ) : null}
      </td>
      <td>{inserted ? (inserted.image?.format ?? inserted.drv) : <None />}</td>
      <td>{inserted ? inserted.ro ? 'yes' : 'no' : <None />}</td>
      <td>
        {info.removable ? 'removable' : 'fixed'}
        {info.tray_open !== undefined ? `, tray ${info.tray_open ? 'open' : 'closed'}` : null}
        {info.locked ? ', locked' : null}
      </td>
      <td>
        {io ? (
          <span className="badge" data-io-status={io}>
            {io}
          </span>
        ) : (
          <span className="muted">not kept</span>
        )}
      </td>
      <td className="num">
        {s ? (
          <>
            {formatBytes(s.rd_bytes)}
            <div className="muted small">{formatCount(s.rd_operations)} ops</div>
          </>
        ) : (
          <None />
        )}
      </td>
      <td className="num">
        {s ? (
          <>
            {formatBytes(s.wr_bytes)}
            <div className="muted small">{formatCount(s.wr_operations)} ops</div>
          </>
        ) : (
          <None />
        )}
      </td>
      <td className="num" data-failed={failedOps ? true : undefined}>
        {s ? (
          <>
            {formatCount(failedOps ?? 0)}
            <div className="muted small">
              {formatCount(s.failed_rd_operations ?? 0)} rd · {formatCount(s.failed_wr_operations ?? 0)} wr
            </div>
            {failedOps === 0 && (io === 'failed' || io === 'nospace') ? (
              <div className="small block-retry-note">{STOPPED_REQUEST_NOT_COUNTED}</div>
            ) : null}
          </>
        ) : (
          <None />
        )}
      </td>
    </tr>
  );
}

function None() {
  return <span className="muted">—</span>;
}
