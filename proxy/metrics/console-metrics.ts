// The console's Prometheus metrics: one prom-client registry fed by the hub (connection, run state,
// clients), the journal (events, alerts, its own health) and the command listeners; block statistics
// come from QEMU through each VM's sampler, at most once a second.
//
// Names follow Prometheus practice: the `qmp_` prefix, base units, `_total` on counters, state sets
// with one series per state (1 for the current one), and labels with few values (no error text, no
// client addresses).
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CommandRecord, JournalHealth, JournalStatus } from '../../protocol/journal.ts';
import { ALERT_EVENTS } from '../../protocol/journal.ts';
import type { EventRow } from '../journal/journal-store.ts';
import type { CommandListener } from '../security/audit.ts';
import { IO_STATUSES } from './block-samples.ts';
import { ioErrorCause } from './io-error-cause.ts';
import { Tally } from './tally.ts';
import { type MetricsVm, type SamplerOptions, type VmSample, VmSampler } from './vm-sampler.ts';

/** What the metrics read from the journal: Journal provides it. */
export interface MetricsJournal {
  subscribe(s: { records(rows: EventRow[]): void; alert(alert: unknown): void }): () => void;
  health(): JournalHealth;
  status(): JournalStatus;
  readonly alerts: { open(): { vm: string }[] };
  readonly store: { sizeOnDisk(): number };
}

export interface ConsoleMetricsOptions {
  vms: MetricsVm[];
  journal: MetricsJournal | null;
  sampler?: SamplerOptions;
  /** Open event streams and exports (counted against --max-streams and --max-exports). */
  admissions?: Record<'streams' | 'exports', { readonly count: number }>;
  /** prom-client's process_* and nodejs_* metrics (default true). */
  processMetrics?: boolean;
}

const REFUSAL_REASONS: readonly NonNullable<CommandRecord['refusal']>[] = ['viewer', 'deny', 'name-too-long'];

/** Buckets from a fast `query-status` (~0.2 ms) to a slow `query-qmp-schema` or a blocked monitor. */
const DURATION_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const BLOCK_COUNTERS = [
  ['qmp_block_read_bytes_total', 'readBytes', 'Bytes read by the guest device (query-blockstats rd_bytes).'],
  ['qmp_block_write_bytes_total', 'writeBytes', 'Bytes written by the guest device (wr_bytes).'],
  ['qmp_block_read_ops_total', 'readOps', 'Read requests completed (rd_operations).'],
  ['qmp_block_write_ops_total', 'writeOps', 'Write requests completed (wr_operations).'],
  ['qmp_block_flush_ops_total', 'flushOps', 'Flush requests completed (flush_operations).'],
  ['qmp_block_failed_read_ops_total', 'failedReadOps', 'Read requests failed (failed_rd_operations).'],
  ['qmp_block_failed_write_ops_total', 'failedWriteOps', 'Write requests failed (failed_wr_operations).'],
  ['qmp_block_failed_flush_ops_total', 'failedFlushOps', 'Flush requests failed (failed_flush_operations).'],
] as const;

let sharedProcessRegistry: Registry | null = null;

/**
 * Once per process: the default collectors watch the event loop and GC for good (nothing unregisters
 * them), so consoles started one after another (the tests) must not each add their own.
 */
function processRegistry(): Registry {
  if (sharedProcessRegistry) return sharedProcessRegistry;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Gauges named like counters (promtool check metrics flags them); nodejs_active_handles and
  // friends carry the same counts by type.
  for (const name of [
    'nodejs_active_handles_total',
    'nodejs_active_requests_total',
    'nodejs_active_resources_total',
  ])
    registry.removeSingleMetric(name);
  sharedProcessRegistry = registry;
  return registry;
}

/** Command names a VM's QEMU has shown it knows, kept per VM (beyond the schema) and bounded. */
const MAX_LEARNED_COMMANDS = 2000;

type IoErrorLabels = Record<'vm' | 'device' | 'node' | 'operation' | 'cause', string>;

export class ConsoleMetrics {
  readonly registry = new Registry();
  /** prom-client's process_* and nodejs_* metrics, shared by every console in the process. */
  readonly process: Registry | null;
  private readonly samplers: VmSampler[];
  private samples = new Map<string, VmSample | null>();
  private readonly learned = new Map<string, Set<string>>();
  private readonly samplerByVm: Map<string, VmSampler>;
  /** prom-client children by label values: a command's cost here is two map lookups. */
  private readonly commandTally = new Tally<Record<'vm' | 'command' | 'outcome', string>>();
  private readonly durationTally = new Tally<Record<'vm' | 'command', string>>();
  private readonly eventTally = new Tally<Record<'vm' | 'event', string>>();
  private readonly ioErrorTally = new Tally<IoErrorLabels>();
  /** A BLOCK_IO_ERROR's data text (the same for every error of a disk) → its series. */
  private readonly ioErrorSeries = new Map<string, { key: string; labels: IoErrorLabels } | null>();
  private readonly offJournal: () => void;
  private readonly commandSeconds: Histogram<'vm' | 'command'>;
  private readonly eventsTotal: Counter<'vm' | 'event'>;
  private readonly sampleFailures: Counter<'vm' | 'reason'>;
  private readonly refusedTotal: Counter<'vm' | 'reason'>;
  private readonly httpRefusedTotal: Counter<'limit'>;

  constructor(options: ConsoleMetricsOptions) {
    const { vms, journal } = options;
    const registers = [this.registry];
    this.samplers = vms.map(
      (vm) =>
        new VmSampler(vm, {
          // Called only after the constructor: a sample is asked for by a scrape.
          onFailure: (name, reason) => this.sampleFailures.inc({ vm: name, reason }),
          ...options.sampler,
        }),
    );
    const samplers = this.samplers;
    this.samplerByVm = new Map(samplers.map((s) => [s.vm.name, s]));
    const sampleOf = (vm: string) => this.samples.get(vm) ?? null;

    new Gauge({
      name: 'qmp_vm_up',
      help: "1 while the console's QMP session to the VM is connected, else 0.",
      labelNames: ['vm'],
      registers,
      collect() {
        this.reset();
        for (const vm of vms) this.set({ vm: vm.name }, vm.summary().state === 'connected' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'qmp_vm_status',
      help: "The VM's run state as a state set: one series per RunState of the VM's QMP schema, 1 for the current one. Absent while disconnected.",
      labelNames: ['vm', 'status'],
      registers,
      collect() {
        this.reset();
        for (const s of samplers) {
          const summary = s.vm.summary();
          const current = summary.runState?.status;
          if (summary.state !== 'connected' || current === undefined) continue;
          const states = new Set([...s.schema.runStates, current]);
          for (const status of states) this.set({ vm: s.vm.name, status }, status === current ? 1 : 0);
        }
      },
    });
    new Gauge({
      name: 'qmp_block_io_status',
      help: "A block device's io-status (query-block) as a state set over ok, failed and nospace; only devices whose errors stop the VM keep one.",
      labelNames: ['vm', 'device', 'node', 'status'],
      registers,
      collect() {
        this.reset();
        for (const vm of vms)
          for (const d of sampleOf(vm.name)?.ioStatus ?? [])
            for (const status of IO_STATUSES)
              this.set({ vm: vm.name, device: d.device, node: d.node, status }, d.status === status ? 1 : 0);
      },
    });
    for (const [name, field, help] of BLOCK_COUNTERS) {
      new Counter({
        name,
        help,
        labelNames: ['vm', 'device'],
        registers,
        collect() {
          this.reset();
          for (const vm of vms)
            for (const d of sampleOf(vm.name)?.counters ?? [])
              this.inc({ vm: vm.name, device: d.device }, d[field]);
        },
      });
    }
    const { commandTally, durationTally, eventTally, ioErrorTally } = this;
    new Counter({
      name: 'qmp_block_io_errors_total',
      help: 'BLOCK_IO_ERROR events, by device, node, operation (read, write) and cause (the errno name: EIO, ENOSPC, ..., other).',
      labelNames: ['vm', 'device', 'node', 'operation', 'cause'],
      registers,
      collect() {
        ioErrorTally.countsInto(this);
      },
    });
    new Gauge({
      name: 'qmp_block_io_error_last_timestamp_seconds',
      help: 'When the console received the latest BLOCK_IO_ERROR with these labels (Unix time).',
      labelNames: ['vm', 'device', 'node', 'operation', 'cause'],
      registers,
      collect() {
        ioErrorTally.lastInto(this);
      },
    });
    this.eventsTotal = new Counter({
      name: 'qmp_events_total',
      help: "QMP events journaled, by name (QEMU's, and the console's own CONSOLE_CONNECTED / CONSOLE_DISCONNECTED).",
      labelNames: ['vm', 'event'],
      registers,
      collect() {
        eventTally.countsInto(this);
      },
    });
    // Present from the start, so increase() sees the first one.
    for (const vm of vms) for (const event of ALERT_EVENTS) this.eventsTotal.inc({ vm: vm.name, event }, 0);
    new Gauge({
      name: 'qmp_alerts_open',
      help: "The console's open (unacknowledged) alerts.",
      labelNames: ['vm'],
      registers,
      collect() {
        this.reset();
        const open = new Map(vms.map((vm) => [vm.name, 0]));
        for (const a of journal?.alerts.open() ?? []) if (open.has(a.vm)) open.set(a.vm, open.get(a.vm)! + 1);
        for (const [vm, n] of open) this.set({ vm }, n);
      },
    });
    new Counter({
      name: 'qmp_commands_total',
      help: 'Clients\' QMP commands, by outcome (ok, error, denied, lost); commands the VM does not know count as command="other".',
      labelNames: ['vm', 'command', 'outcome'],
      registers,
      collect() {
        commandTally.countsInto(this);
      },
    });
    this.refusedTotal = new Counter({
      name: 'qmp_commands_refused_total',
      help: "Clients' commands the console's policy refused, by reason: viewer (the viewer role or --read-only), deny (a --deny pattern), name-too-long. Each is counted; the audit trail keeps the first of a window and a summary.",
      labelNames: ['vm', 'reason'],
      registers,
    });
    for (const vm of vms)
      for (const reason of REFUSAL_REASONS) this.refusedTotal.inc({ vm: vm.name, reason }, 0);
    this.commandSeconds = new Histogram({
      name: 'qmp_command_duration_seconds',
      help: "Time from forwarding a client's command to QEMU's reply.",
      labelNames: ['vm', 'command'],
      buckets: DURATION_BUCKETS,
      registers,
      collect() {
        durationTally.valuesInto(this);
      },
    });
    new Gauge({
      name: 'qmp_clients',
      help: 'Clients attached to the VM, by transport (websocket, socket for --listen-qmp).',
      labelNames: ['vm', 'transport'],
      registers,
      collect() {
        this.reset();
        for (const vm of vms)
          for (const [transport, n] of Object.entries(vm.clientCounts()))
            this.set({ vm: vm.name, transport }, n);
      },
    });
    this.sampleFailures = new Counter({
      name: 'qmp_vm_sample_failures_total',
      help: 'Block samples QEMU did not give in time or refused, by reason (timeout, qmp-error, lost, not-connected); block series are left out of that scrape.',
      labelNames: ['vm', 'reason'],
      registers,
    });
    this.httpRefusedTotal = new Counter({
      name: 'qmp_http_refused_total',
      help: 'Event streams and journal exports answered 503, by the cap that refused them (max-streams, max-streams-per-address, max-exports, max-exports-per-address).',
      labelNames: ['limit'],
      registers,
    });
    const admissions = options.admissions;
    new Gauge({
      name: 'qmp_http_open_streams',
      help: 'Long responses open now, by kind (stream: Server-Sent Events; export: NDJSON journal exports).',
      labelNames: ['kind'],
      registers,
      collect() {
        this.reset();
        if (!admissions) return;
        this.set({ kind: 'stream' }, admissions.streams.count);
        this.set({ kind: 'export' }, admissions.exports.count);
      },
    });
    this.journalMetrics(journal, registers);
    this.process = options.processMetrics === false ? null : processRegistry();
    this.offJournal =
      journal?.subscribe({ records: (rows) => this.countEvents(rows), alert: () => {} }) ?? (() => {});
  }

  /** Add it to the hub's command listeners. */
  readonly onCommand: CommandListener = (record: CommandRecord) => {
    const command = this.commandLabel(record);
    const { vm, outcome } = record;
    this.commandTally.count(`${vm}\u0000${command}\u0000${outcome}`, () => ({ vm, command, outcome }));
    if (record.durationSeconds !== undefined)
      this.durationTally.observe(
        `${vm}\u0000${command}`,
        () => ({ vm, command }),
        record.durationSeconds,
        this.commandSeconds,
      );
    if (outcome === 'denied')
      this.refusedTotal.inc({ vm, reason: record.refusal ?? 'viewer' }, record.count ?? 1);
  };

  /** A long response refused at a cap (`--max-streams`, ...). */
  countRefused(limit: string): void {
    this.httpRefusedTotal.inc({ limit });
  }

  /** The Prometheus text: samples every VM (cached, bounded by the sampler's timeout), then formats. */
  async render(): Promise<string> {
    const sampled = await Promise.all(this.samplers.map(async (s) => [s.vm.name, await s.sample()] as const));
    this.samples = new Map(sampled);
    const [own, process] = await Promise.all([this.registry.metrics(), this.process?.metrics() ?? '']);
    return own + process;
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  close(): void {
    this.offJournal();
    for (const s of this.samplers) s.close();
    this.registry.clear();
  }

  private journalMetrics(journal: MetricsJournal | null, registers: Registry[]): void {
    new Gauge({
      name: 'qmp_journal_healthy',
      help: '1 while the event journal writes succeed; 0 while they fail (events kept in memory and retried).',
      registers,
      collect() {
        if (journal) this.set(journal.health().ok ? 1 : 0);
      },
    });
    new Gauge({
      name: 'qmp_journal_backlog_events',
      help: 'Events held in memory waiting to be written to the journal.',
      registers,
      collect() {
        if (journal) this.set(journal.health().backlog);
      },
    });
    new Counter({
      name: 'qmp_journal_lost_events_total',
      help: 'Events the journal could not keep (its memory backlog was full) since the console started.',
      registers,
      collect() {
        this.reset();
        if (journal) this.inc(journal.health().lost);
      },
    });
    new Gauge({
      name: 'qmp_journal_backlog_audit_records',
      help: 'Command audit records held in memory waiting to be written to the journal.',
      registers,
      collect() {
        if (journal) this.set(journal.health().auditBacklog);
      },
    });
    new Counter({
      name: 'qmp_journal_lost_audit_records_total',
      help: 'Command audit records the journal could not keep (its memory backlog was full while writes failed, or it stopped first) since the console started.',
      registers,
      collect() {
        this.reset();
        if (journal) this.inc(journal.health().auditLost);
      },
    });
    new Gauge({
      name: 'qmp_journal_events',
      help: 'Events the journal keeps (between its oldest and newest sequence numbers).',
      registers,
      collect() {
        if (!journal) return;
        const s = journal.status();
        this.set(s.firstSeq > 0 ? s.lastSeq - s.firstSeq + 1 : 0);
      },
    });
    new Gauge({
      name: 'qmp_journal_size_bytes',
      help: 'Bytes the journal takes on disk (database and write-ahead log).',
      registers,
      collect() {
        if (journal) this.set(journal.store.sizeOnDisk());
      },
    });
  }

  /** Every journal batch (in a storm, hundreds a second): counted here, handed over when scraped. */
  private countEvents(rows: EventRow[]): void {
    for (const row of rows) {
      const { vm, event } = row;
      if (vm === '') continue;
      this.eventTally.count(`${vm}\u0000${event}`, () => ({ vm, event }));
      if (event !== 'BLOCK_IO_ERROR' || row.data === null) continue;
      const series = this.ioErrorSeriesOf(vm, row.data);
      if (series) this.ioErrorTally.count(series.key, () => series.labels, row.received / 1000);
    }
  }

  private ioErrorSeriesOf(vm: string, data: string): { key: string; labels: IoErrorLabels } | null {
    const cacheKey = `${vm}\u0000${data}`;
    const known = this.ioErrorSeries.get(cacheKey);
    if (known !== undefined) return known;
    let parsed: Record<string, unknown> | null = null;
    try {
      parsed = JSON.parse(data) as Record<string, unknown>;
    } catch {}
    let series: { key: string; labels: IoErrorLabels } | null = null;
    if (parsed !== null && typeof parsed === 'object') {
      const labels: IoErrorLabels = {
        vm,
        device: typeof parsed.device === 'string' ? parsed.device : '',
        node: typeof parsed['node-name'] === 'string' ? parsed['node-name'] : '',
        operation: parsed.operation === 'write' ? 'write' : 'read',
        cause: ioErrorCause(parsed.reason, parsed.nospace),
      };
      series = { key: Object.values(labels).join('\u0000'), labels };
    }
    // Texts QEMU could vary without end (a reason string) must not grow this for ever.
    if (this.ioErrorSeries.size >= 1000) this.ioErrorSeries.clear();
    this.ioErrorSeries.set(cacheKey, series);
    return series;
  }

  /** The command's name when the VM knows it (its schema, or QEMU answered it), else `other`. */
  private commandLabel(record: CommandRecord): string {
    if (this.samplerByVm.get(record.vm)?.schema.commands.has(record.command)) return record.command;
    const learned = this.learned.get(record.vm) ?? new Set<string>();
    this.learned.set(record.vm, learned);
    const answered =
      record.outcome === 'ok' || (record.outcome === 'error' && record.errorClass !== 'CommandNotFound');
    if (answered && learned.size < MAX_LEARNED_COMMANDS) learned.add(record.command);
    return learned.has(record.command) ? record.command : 'other';
  }
}
