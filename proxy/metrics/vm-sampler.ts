// What a scrape needs from QEMU itself, asked at most once per `minIntervalMs` per VM however often
// Prometheus scrapes, one request at a time, each bounded by a timeout. A QEMU that did not answer in
// time is left alone for `backoffMs`: its monitor is busy, and more requests would only queue behind.
import type { VmSummary } from '../../protocol/api.ts';
import type { JsonObject } from '../../protocol/qmp.ts';
import type { ConsoleCommandOptions } from '../hub/console-command.ts';
import { type BlockCounters, type BlockIoStatus, blockCounters, ioStatuses } from './block-samples.ts';
import { type SchemaEntry, schemaFacts, type VmSchemaFacts } from './run-states.ts';

/** What the metrics read from a VM: VmHub provides it. */
export interface MetricsVm {
  readonly name: string;
  summary(): VmSummary;
  execute<T = unknown>(command: string, args?: JsonObject, options?: ConsoleCommandOptions): Promise<T>;
  onStatus(listener: () => void): () => void;
  clientCounts(): Record<'websocket' | 'socket', number>;
}

export interface VmSample {
  ioStatus: BlockIoStatus[];
  counters: BlockCounters[];
}

export interface SamplerOptions {
  minIntervalMs?: number;
  timeoutMs?: number;
  backoffMs?: number;
  now?: () => number;
  /** Told why a sample failed: `timeout`, `qmp-error`, `lost`, `not-connected`. */
  onFailure?: (vm: string, reason: string) => void;
}

/** Until the schema is read: made once (every client command asks for it, to label its metrics). */
const UNKNOWN_SCHEMA = schemaFacts(null);

export class VmSampler {
  private last: VmSample | null = null;
  private askedAt = Number.NEGATIVE_INFINITY;
  private quietUntil = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<VmSample | null> | null = null;
  /** Bumped on every connection change: an answer from an earlier connection is not kept. */
  private generation = 0;
  private facts: VmSchemaFacts | null = null;
  private factsLoading = false;
  private readonly opts: Required<Omit<SamplerOptions, 'onFailure'>> & Pick<SamplerOptions, 'onFailure'>;
  private readonly offStatus: () => void;

  constructor(
    readonly vm: MetricsVm,
    options: SamplerOptions = {},
  ) {
    // 5 s: within Prometheus' default 10 s scrape_timeout, with room for a QEMU starved of CPU.
    this.opts = { minIntervalMs: 1000, timeoutMs: 5000, backoffMs: 10_000, now: Date.now, ...options };
    this.offStatus = vm.onStatus(() => this.forget());
  }

  /** The VM's schema facts once read (the 7.2 run states until then, or when it cannot be read). */
  get schema(): VmSchemaFacts {
    return this.facts ?? UNKNOWN_SCHEMA;
  }

  /** The newest block sample of this connection: null while disconnected or when QEMU did not answer. */
  sample(): Promise<VmSample | null> {
    if (this.vm.summary().state !== 'connected') {
      this.forget();
      return Promise.resolve(null);
    }
    if (this.inFlight) return this.inFlight;
    const now = this.opts.now();
    if (now - this.askedAt < this.opts.minIntervalMs || now < this.quietUntil)
      return Promise.resolve(this.last);
    this.askedAt = now;
    this.loadSchemaOnce();
    const generation = this.generation;
    const options = { timeoutMs: this.opts.timeoutMs };
    const asked = Promise.all([
      this.vm.execute('query-block', undefined, options),
      this.vm.execute('query-blockstats', undefined, options),
    ]).then(
      ([block, stats]): VmSample | null => {
        if (generation !== this.generation) return null;
        this.last = { ioStatus: ioStatuses(block), counters: blockCounters(stats) };
        return this.last;
      },
      (err: unknown) => {
        if (generation !== this.generation) return null;
        const reason = (err as { reason?: string }).reason ?? 'error';
        if (reason === 'timeout') this.quietUntil = this.opts.now() + this.opts.backoffMs;
        this.opts.onFailure?.(this.vm.name, reason);
        this.last = null;
        return null;
      },
    );
    this.inFlight = asked.finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  close(): void {
    this.offStatus();
    this.forget();
  }

  private forget(): void {
    this.generation++;
    this.last = null;
    this.inFlight = null;
    this.facts = null;
    this.factsLoading = false;
    this.askedAt = Number.NEGATIVE_INFINITY;
    this.quietUntil = Number.NEGATIVE_INFINITY;
  }

  /** Once per connection: the schema does not change while QEMU runs. */
  private loadSchemaOnce(): void {
    if (this.facts || this.factsLoading) return;
    this.factsLoading = true;
    const generation = this.generation;
    this.vm
      .execute<SchemaEntry[]>('query-qmp-schema', undefined, {
        timeoutMs: Math.max(this.opts.timeoutMs, 5000),
      })
      .then(
        (schema) => schemaFacts(Array.isArray(schema) ? schema : null),
        () => schemaFacts(null),
      )
      .then((facts) => {
        if (generation === this.generation) this.facts = facts;
      });
  }
}
