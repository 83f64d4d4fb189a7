// Fleet side: every host's VMs as the hosts describe them in KV, and whether each host is alive. A host
// rewrites its heartbeat every few seconds; one not heard from for three beats (at least 5 s) is dead,
// and its VMs are `disconnected` from its last beat on, whatever their last entry said.
import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { VmSummary } from '../../protocol/api.ts';
import { log } from '../log.ts';
import type { FleetHostEntry, FleetVmEntry } from '../nats/host-state.ts';
import { fleetName, fromToken, parseVmKey } from '../nats/subjects.ts';

interface HostLife {
  lastBeat: number;
  everyMs: number;
  /** false once the host said goodbye (deleted its key) or missed its beats. */
  alive: boolean;
}

export type DirectoryListener = (name: string, summary: VmSummary) => void;

export class FleetDirectory {
  private readonly vms = new Map<string, FleetVmEntry>();
  private readonly hosts = new Map<string, HostLife>();
  private natsUp = false;
  private readonly listeners = new Set<DirectoryListener>();
  private readonly timer: NodeJS.Timeout;
  private watchers: { stop(): void }[] = [];

  constructor(private readonly opts: { now?: () => number; checkMs?: number; minDeadMs?: number } = {}) {
    this.timer = setInterval(() => this.checkLiveness(), opts.checkMs ?? 1000);
    this.timer.unref();
  }

  private now(): number {
    return this.opts.now?.() ?? Date.now();
  }

  onChange(listener: DirectoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Watches the buckets (again, after a reconnect: nats.js resumes watches, but a new store needs new ones). */
  async attach(buckets: { vms: KV; hosts: KV }): Promise<void> {
    for (const w of this.watchers) w.stop();
    this.natsUp = true;
    const hostsWatch = await buckets.hosts.watch({ key: '>' });
    const vmsWatch = await buckets.vms.watch({ key: '>' });
    this.watchers = [hostsWatch, vmsWatch];
    void this.follow(hostsWatch, (e) => this.hostEntry(e));
    void this.follow(vmsWatch, (e) => this.vmEntry(e));
  }

  /** NATS is gone: the fleet cannot vouch for any host. */
  detach(): void {
    this.natsUp = false;
    for (const name of this.vms.keys()) this.emit(name);
  }

  stop(): void {
    clearInterval(this.timer);
    for (const w of this.watchers) w.stop();
  }

  private async follow(iter: AsyncIterable<KvWatchEntry>, handle: (e: KvWatchEntry) => void): Promise<void> {
    try {
      for await (const e of iter) {
        try {
          handle(e);
        } catch (err) {
          log.warn('ignoring a malformed fleet KV entry', { key: e.key, error: String(err) });
        }
      }
    } catch (err) {
      log.warn('fleet KV watch ended', { error: String(err) });
    }
  }

  private hostEntry(e: KvWatchEntry): void {
    const host = fromToken(e.key);
    if (e.operation !== 'PUT') {
      const life = this.hosts.get(host);
      if (life) life.alive = false;
      this.emitHost(host);
      return;
    }
    const beat = e.json<FleetHostEntry>();
    const now = this.now();
    // A beat read back at start (not just written) is as old as it says.
    const at = e.isUpdate ? now : Math.min(now, Date.parse(beat.at) || 0);
    const everyMs = Number.isFinite(beat.everyMs) && beat.everyMs > 0 ? beat.everyMs : 2000;
    const was = this.hosts.get(host)?.alive;
    this.hosts.set(host, { lastBeat: at, everyMs, alive: this.fresh(at, everyMs, now) });
    if (was !== this.hosts.get(host)!.alive) this.emitHost(host);
  }

  private vmEntry(e: KvWatchEntry): void {
    const k = parseVmKey(e.key);
    if (!k) return;
    const name = fleetName(k.vm, k.host);
    if (e.operation !== 'PUT') this.vms.delete(name);
    else {
      const v = e.json<FleetVmEntry>();
      if (typeof v?.name !== 'string' || typeof v.state !== 'string') throw new Error('not a VM summary');
      this.vms.set(name, { ...v, host: k.host });
    }
    this.emit(name);
  }

  private fresh(lastBeat: number, everyMs: number, now: number): boolean {
    return now - lastBeat <= Math.max(3 * everyMs, this.opts.minDeadMs ?? 5000);
  }

  private checkLiveness(): void {
    const now = this.now();
    for (const [host, life] of this.hosts) {
      if (life.alive && !this.fresh(life.lastBeat, life.everyMs, now)) {
        life.alive = false;
        log.warn('host console not heard from: its VMs are disconnected', { host });
        this.emitHost(host);
      }
    }
  }

  private emitHost(host: string): void {
    for (const [name, v] of this.vms) if (v.host === host) this.emit(name);
  }

  private emit(name: string): void {
    const s = this.summary(name);
    if (s) for (const l of this.listeners) l(name, s);
  }

  entry(name: string): FleetVmEntry | undefined {
    return this.vms.get(name);
  }

  names(): string[] {
    return [...this.vms.keys()].sort();
  }

  /** The VM as the fleet can vouch for it: its host's word while the host is alive and NATS is up. */
  summary(name: string): VmSummary | undefined {
    const v = this.vms.get(name);
    if (!v) return undefined;
    const life = this.hosts.get(v.host);
    const base: VmSummary = {
      name,
      address: v.address,
      state: v.state,
      version: v.version,
      since: v.since,
      error: v.error,
      runState: v.runState ?? null,
      ...(Array.isArray(v.jobs) ? { jobs: v.jobs } : {}),
      host: v.host,
    };
    // Without the host's word nobody can say which jobs run now.
    const { jobs: _jobs, ...unvouched } = base;
    if (!this.natsUp)
      return { ...unvouched, state: 'disconnected', error: 'the fleet console cannot reach NATS' };
    if (!life?.alive) {
      const since = life ? new Date(life.lastBeat).toISOString() : v.since;
      return {
        ...unvouched,
        state: 'disconnected',
        since,
        error: `host console ${v.host} not heard from since ${since}`,
        runState: null,
      };
    }
    return base;
  }

  summaries(): VmSummary[] {
    return this.names().map((n) => this.summary(n)!);
  }
}
