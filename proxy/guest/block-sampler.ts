// Block I/O history per VM: `query-blockstats` every interval while the console is connected, kept as
// per-second rates over the last minutes. QEMU's counters are cumulative since the device was created,
// so a rate is a delta; a counter that went down means a new QEMU (or device): that sample is skipped.
import {
  BLOCK_SERIES,
  type BlockHistory,
  type BlockSample,
  type VmStatsHistory,
} from '../../protocol/guest.ts';
import { log } from '../log.ts';
import type { ExecuteOn } from './screen-capture.ts';

interface BlockStatsEntry {
  device?: string;
  qdev?: string;
  'node-name'?: string;
  stats: {
    rd_bytes: number;
    wr_bytes: number;
    rd_operations: number;
    wr_operations: number;
    failed_rd_operations?: number;
    failed_wr_operations?: number;
  };
}

interface Counters {
  t: number;
  rdBytes: number;
  wrBytes: number;
  rdOps: number;
  wrOps: number;
  failedRd: number;
  failedWr: number;
}

export interface BlockSamplerOptions {
  /** Default 2000 ms. */
  intervalMs?: number;
  /** Default 10 minutes. */
  windowMs?: number;
  now?: () => number;
}

/** The name a chart shows: the BlockBackend name, else the guest device, else the node. */
export function blockKey(e: BlockStatsEntry): string {
  return e.device || e.qdev || e['node-name'] || '?';
}

function counters(e: BlockStatsEntry, t: number): Counters {
  const s = e.stats;
  return {
    t,
    rdBytes: s.rd_bytes,
    wrBytes: s.wr_bytes,
    rdOps: s.rd_operations,
    wrOps: s.wr_operations,
    failedRd: s.failed_rd_operations ?? 0,
    failedWr: s.failed_wr_operations ?? 0,
  };
}

/** The rates between two readings of the same device, or null when a counter went back (a reset). */
export function rates(prev: Counters, next: Counters): BlockSample | null {
  const dt = (next.t - prev.t) / 1000;
  const d = (k: keyof Counters) => next[k] - prev[k];
  const keys = ['rdBytes', 'wrBytes', 'rdOps', 'wrOps', 'failedRd', 'failedWr'] as const;
  if (dt <= 0 || keys.some((k) => d(k) < 0)) return null;
  return {
    t: next.t,
    readBytesPerS: d('rdBytes') / dt,
    writeBytesPerS: d('wrBytes') / dt,
    readOpsPerS: d('rdOps') / dt,
    writeOpsPerS: d('wrOps') / dt,
    failedReads: d('failedRd'),
    failedWrites: d('failedWr'),
  };
}

/**
 * Rates to four significant digits, what a chart can show: dividing by an interval of 2.000xyz s
 * leaves float noise that is not worth its digits on every sample. Failed operations are counts, kept.
 */
const roundRate = (v: number, series: (typeof BLOCK_SERIES)[number]) =>
  series.startsWith('failed') ? v : Number(v.toPrecision(4));

/** A device's samples as the columns `GET /api/vms/NAME/stats` answers (uPlot's shape, x in seconds after `since`). */
export function blockColumns(device: string, samples: readonly BlockSample[]): BlockHistory {
  const since = samples[0]?.t ?? 0;
  const t = samples.map((x) => Math.round((x.t - since) / 100) / 10);
  const history = { device, since, t } as BlockHistory;
  for (const k of BLOCK_SERIES) history[k] = samples.map((x) => roundRate(x[k], k));
  return history;
}

class VmSampler {
  readonly history = new Map<string, BlockSample[]>();
  private readonly last = new Map<string, Counters>();
  timer: NodeJS.Timeout | null = null;
  busy = false;
  vmStats: VmStatsHistory['vmStats'] = null;
  vmStatsNote: string | null = 'not asked yet';

  add(entries: BlockStatsEntry[], t: number, windowMs: number): void {
    for (const e of entries) {
      const key = blockKey(e);
      const c = counters(e, t);
      const prev = this.last.get(key);
      this.last.set(key, c);
      let samples = this.history.get(key);
      if (!samples) {
        samples = [];
        this.history.set(key, samples);
      }
      const sample = prev ? rates(prev, c) : null;
      if (sample) samples.push(sample);
      while (samples.length > 0 && samples[0]!.t <= t - windowMs) samples.shift();
    }
  }

  /** A new connection: the old readings are no base for deltas (QEMU may have restarted). */
  reset(): void {
    this.last.clear();
  }
}

export class BlockSampler {
  private readonly vms = new Map<string, VmSampler>();
  readonly intervalMs: number;
  readonly windowMs: number;
  private readonly now: () => number;

  constructor(
    private readonly execute: ExecuteOn,
    options: BlockSamplerOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 2000;
    this.windowMs = options.windowMs ?? 10 * 60_000;
    this.now = options.now ?? Date.now;
  }

  /** Samples `vm` on the interval from now on (its QEMU connected). */
  start(vm: string): void {
    const s = this.sampler(vm);
    if (s.timer) return;
    s.reset();
    void this.sample(vm);
    void this.probeVmStats(vm);
    s.timer = setInterval(() => void this.sample(vm), this.intervalMs);
    s.timer.unref();
  }

  /** Stops sampling (QEMU went away); the history stays until it ages out of the window. */
  stop(vm: string): void {
    const s = this.vms.get(vm);
    if (!s?.timer) return;
    clearInterval(s.timer);
    s.timer = null;
  }

  stopAll(): void {
    for (const vm of this.vms.keys()) this.stop(vm);
  }

  history(vm: string): VmStatsHistory {
    const s = this.vms.get(vm);
    const cutoff = this.now() - this.windowMs;
    const block: BlockHistory[] = [...(s?.history ?? new Map<string, BlockSample[]>())].map(
      ([device, samples]) =>
        blockColumns(
          device,
          samples.filter((x) => x.t > cutoff),
        ),
    );
    return {
      intervalMs: this.intervalMs,
      windowMs: this.windowMs,
      block,
      vmStats: s?.vmStats ?? null,
      vmStatsNote: s?.vmStatsNote ?? 'the console has not sampled this VM yet',
    };
  }

  /** One reading now (the timer's work; tests call it to avoid waiting). */
  async sample(vm: string): Promise<void> {
    const s = this.sampler(vm);
    if (s.busy) return;
    s.busy = true;
    try {
      const entries = (await this.execute(vm, 'query-blockstats', {}, { timeoutMs: this.intervalMs })) as
        | BlockStatsEntry[]
        | undefined;
      s.add(Array.isArray(entries) ? entries : [], this.now(), this.windowMs);
    } catch (err) {
      log.debug('block statistics sample failed', { vm, error: String(err) });
    } finally {
      s.busy = false;
    }
  }

  /** `query-stats` once per connection: QEMU 7.2 answers [] under TCG (its providers are KVM's). */
  private async probeVmStats(vm: string): Promise<void> {
    const s = this.sampler(vm);
    try {
      const r = (await this.execute(vm, 'query-stats', { target: 'vm' })) as unknown[];
      s.vmStatsNote =
        Array.isArray(r) && r.length === 0
          ? 'query-stats returned no statistics: QEMU offers them for KVM only, not for this accelerator'
          : 'query-stats has statistics, but the console does not chart them yet';
    } catch (err) {
      s.vmStatsNote = `query-stats is not available: ${(err as Error).message}`;
    }
  }

  private sampler(vm: string): VmSampler {
    let s = this.vms.get(vm);
    if (!s) {
      s = new VmSampler();
      this.vms.set(vm, s);
    }
    return s;
  }
}
