// Test doubles for the metrics' unit tests: a VM whose QEMU answers when the test says, and a journal.
import type { VmRunState, VmSummary } from '../../protocol/api.ts';
import type { JournalHealth, JournalStatus } from '../../protocol/journal.ts';
import type { JsonObject } from '../../protocol/qmp.ts';
import { ConsoleCommandError } from '../hub/console-command.ts';
import type { EventRow } from '../journal/journal-store.ts';
import type { MetricsJournal } from '../metrics/console-metrics.ts';
import type { MetricsVm } from '../metrics/vm-sampler.ts';

interface Pending {
  command: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
}

export class FakeMetricsVm implements MetricsVm {
  state: VmSummary['state'] = 'connected';
  runState: VmRunState | null = null;
  clients = { websocket: 0, socket: 0 };
  /** Every command asked, in order; answer them with `answer`/`fail`, or set `autoAnswer`. */
  readonly asked: Pending[] = [];
  autoAnswer: ((command: string) => unknown) | null = null;
  private readonly listeners = new Set<() => void>();

  constructor(readonly name: string) {}

  summary(): VmSummary {
    return {
      name: this.name,
      address: `unix:/run/${this.name}.qmp`,
      state: this.state,
      version: null,
      since: new Date(0).toISOString(),
      error: null,
      runState: this.state === 'connected' ? this.runState : null,
    };
  }

  execute<T>(command: string, _args?: JsonObject): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (this.autoAnswer) return resolve(this.autoAnswer(command) as T);
      this.asked.push({ command, resolve: resolve as (v: unknown) => void, reject });
    });
  }

  onStatus(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  clientCounts() {
    return { ...this.clients };
  }

  setState(state: VmSummary['state']): void {
    this.state = state;
    for (const l of this.listeners) l();
  }

  /** Answers the oldest unanswered `command`. */
  answer(command: string, value: unknown): void {
    const i = this.asked.findIndex((p) => p.command === command);
    if (i < 0) throw new Error(`${command} was not asked`);
    this.asked.splice(i, 1)[0]!.resolve(value);
  }

  fail(command: string, reason: ConsoleCommandError['reason']): void {
    const i = this.asked.findIndex((p) => p.command === command);
    if (i < 0) throw new Error(`${command} was not asked`);
    this.asked.splice(i, 1)[0]!.reject(new ConsoleCommandError(command, reason, `${command}: ${reason}`));
  }
}

export class FakeMetricsJournal implements MetricsJournal {
  healthy: JournalHealth = {
    ok: true,
    error: null,
    failingSince: null,
    backlog: 0,
    lost: 0,
    auditBacklog: 0,
    auditLost: 0,
  };
  openAlerts: { vm: string }[] = [];
  private subscriber: { records(rows: EventRow[]): void } | null = null;
  private seq = 0;
  readonly alerts = { open: () => this.openAlerts };
  readonly store = { sizeOnDisk: () => 4096 };

  subscribe(s: { records(rows: EventRow[]): void }): () => void {
    this.subscriber = s;
    return () => {
      this.subscriber = null;
    };
  }

  health(): JournalHealth {
    return this.healthy;
  }

  status(): JournalStatus {
    return {
      ...this.healthy,
      firstSeq: this.seq > 0 ? 1 : 0,
      lastSeq: this.seq,
      retention: { maxEvents: 10, maxAgeMs: null },
      auditRetention: { maxRecords: 10, maxAgeMs: null },
    };
  }

  /** As the journal does after a commit. */
  publish(vm: string, event: string, data: JsonObject | null, received = 1_700_000_000_000): void {
    this.subscriber?.records([
      {
        seq: ++this.seq,
        vm,
        event,
        data: data === null ? null : JSON.stringify(data),
        tsSeconds: Math.floor(received / 1000),
        tsMicro: 0,
        received,
        source: 'qemu',
      },
    ]);
  }
}
