// Host side: what the fleet shows without asking: each VM's summary and alerts in KV (key HOST.VM),
// and this host's heartbeat. Changes are written at most every `flushMs` per key (a storm coalesces
// one alert thousands of times a second; the fleet needs the latest state, not every step).
import type { KV } from '@nats-io/kv';
import type { VmSummary } from '../../protocol/api.ts';
import type { Hub } from '../hub/hub.ts';
import { toJournalAlert } from '../journal/alert-book.ts';
import type { Journal } from '../journal/journal.ts';
import { log } from '../log.ts';
import { hostKey, vmKey } from './subjects.ts';

/** A VM's entry in the `qmp_vms` bucket. */
export interface FleetVmEntry extends VmSummary {
  host: string;
  /** QEMU's greeting line, given to each fleet client as QEMU would. */
  greeting: string | null;
}

/** A host's entry in the `qmp_hosts` bucket, rewritten every heartbeat. */
export interface FleetHostEntry {
  host: string;
  /** ISO time of this heartbeat. */
  at: string;
  /** How often the host writes it: the fleet calls the host dead after a few missed beats. */
  everyMs: number;
  vms: string[];
}

export interface HostBuckets {
  vms: KV;
  alerts: KV;
  hosts: KV;
}

export class HostState {
  private buckets: HostBuckets | null = null;
  private readonly dirtyVms = new Set<string>();
  private readonly dirtyAlerts = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly offs: (() => void)[] = [];

  constructor(
    private readonly host: string,
    private readonly hub: Hub,
    private readonly journal: Journal,
    private readonly opts: { heartbeatMs: number; flushMs: number },
  ) {
    // Connection, version and run state: written when the hub says the summary changed.
    for (const vm of hub.all()) this.offs.push(vm.onSummary((s) => this.markVm(s.name)));
    this.offs.push(
      journal.subscribe({
        records: () => {},
        alert: (a) => {
          this.dirtyAlerts.add(a.vm);
        },
      }),
    );
  }

  /** NATS is (back) up: write everything, then keep it current. */
  attach(buckets: HostBuckets): void {
    this.buckets = buckets;
    for (const vm of this.hub.all()) {
      this.dirtyVms.add(vm.name);
      this.dirtyAlerts.add(vm.name);
    }
    if (this.timers.length === 0) {
      this.timers.push(setInterval(() => void this.flush(), this.opts.flushMs));
      this.timers.push(setInterval(() => void this.heartbeat(), this.opts.heartbeatMs));
      for (const t of this.timers) t.unref();
    }
    void this.heartbeat();
    void this.flush();
  }

  detach(): void {
    this.buckets = null;
  }

  /** A clean stop: the host says it is gone rather than letting the fleet wait for missed beats. */
  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const off of this.offs) off();
    const b = this.buckets;
    if (!b) return;
    await this.flush();
    for (const vm of this.hub.all()) {
      const summary = this.entry(vm.name);
      if (summary)
        await b.vms
          .put(
            vmKey(this.host, vm.name),
            JSON.stringify({
              ...summary,
              state: 'disconnected',
              error: 'host console stopped',
              since: new Date().toISOString(),
            }),
          )
          .catch(() => {});
    }
    await b.hosts.delete(hostKey(this.host)).catch(() => {});
  }

  private markVm(name: string): void {
    this.dirtyVms.add(name);
  }

  private entry(name: string): FleetVmEntry | null {
    const vm = this.hub.get(name);
    if (!vm) return null;
    return { ...vm.summary(), host: this.host, greeting: vm.upstream.greetingLine };
  }

  private async heartbeat(): Promise<void> {
    const b = this.buckets;
    if (!b) return;
    const entry: FleetHostEntry = {
      host: this.host,
      at: new Date().toISOString(),
      everyMs: this.opts.heartbeatMs,
      vms: this.hub.all().map((v) => v.name),
    };
    await b.hosts.put(hostKey(this.host), JSON.stringify(entry)).catch((err: unknown) => {
      log.debug('heartbeat not written', { error: String(err) });
    });
  }

  async flush(): Promise<void> {
    const b = this.buckets;
    if (!b) return;
    const vms = [...this.dirtyVms];
    const alerts = [...this.dirtyAlerts];
    this.dirtyVms.clear();
    this.dirtyAlerts.clear();
    const writes: Promise<unknown>[] = [];
    for (const name of vms) {
      const e = this.entry(name);
      if (e)
        writes.push(
          b.vms.put(vmKey(this.host, name), JSON.stringify(e)).catch(() => this.dirtyVms.add(name)),
        );
    }
    for (const name of alerts) {
      const list = this.journal.listAlerts({ vm: name, limit: 50 }).map(toJournalAlert);
      writes.push(
        b.alerts
          .put(vmKey(this.host, name), JSON.stringify({ alerts: list }))
          .catch(() => this.dirtyAlerts.add(name)),
      );
    }
    await Promise.all(writes);
  }
}
