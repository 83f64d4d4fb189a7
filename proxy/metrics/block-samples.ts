// `query-block` and `query-blockstats` replies → the rows behind the qmp_block_* metrics.
import type { JsonObject } from '../../protocol/qmp.ts';

export const IO_STATUSES = ['ok', 'failed', 'nospace'] as const;
export type IoStatus = (typeof IO_STATUSES)[number];

/** A device that keeps an io-status (QEMU reports it only where errors stop the VM). */
export interface BlockIoStatus {
  device: string;
  node: string;
  status: IoStatus;
}

export interface BlockCounters {
  device: string;
  readBytes: number;
  writeBytes: number;
  readOps: number;
  writeOps: number;
  flushOps: number;
  failedReadOps: number;
  failedWriteOps: number;
  failedFlushOps: number;
}

const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : 0);
const objects = (v: unknown): JsonObject[] =>
  Array.isArray(v)
    ? v.filter((x): x is JsonObject => typeof x === 'object' && x !== null && !Array.isArray(x))
    : [];

/**
 * A device's name: the BlockBackend name (`-drive id=`), else its guest device (`-blockdev` setups give
 * the backend no name), else the node.
 */
function deviceName(entry: JsonObject): string {
  return text(entry.device) || text(entry.qdev) || text(entry['node-name']);
}

export function ioStatuses(queryBlock: unknown): BlockIoStatus[] {
  const rows: BlockIoStatus[] = [];
  for (const dev of objects(queryBlock)) {
    const status = dev['io-status'];
    if (status !== 'ok' && status !== 'failed' && status !== 'nospace') continue;
    const inserted = objects([dev.inserted])[0];
    rows.push({ device: deviceName(dev), node: text(inserted?.['node-name']), status });
  }
  return rows;
}

export function blockCounters(queryBlockstats: unknown): BlockCounters[] {
  const rows: BlockCounters[] = [];
  for (const dev of objects(queryBlockstats)) {
    const s = objects([dev.stats])[0];
    const device = deviceName(dev);
    if (!s || device === '') continue;
    rows.push({
      device,
      readBytes: count(s.rd_bytes),
      writeBytes: count(s.wr_bytes),
      readOps: count(s.rd_operations),
      writeOps: count(s.wr_operations),
      flushOps: count(s.flush_operations),
      failedReadOps: count(s.failed_rd_operations),
      failedWriteOps: count(s.failed_wr_operations),
      failedFlushOps: count(s.failed_flush_operations),
    });
  }
  return rows;
}
