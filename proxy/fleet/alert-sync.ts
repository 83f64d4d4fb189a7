// Fleet side: one alert, one state, everywhere. The fleet's journal opens and coalesces alerts from the
// hosts' events with the same rules as each host, so an open alert here and on its host share one key
// (VM, event, device or node, operation, reason). An acknowledgement here is sent to the owning host
// (retried while NATS or the host is away); one made on the host arrives through the `qmp_alerts`
// bucket and is applied here, and the journal tells every browser either way.
import type { KV, KvWatchEntry } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import type { JournalAlert } from '../../protocol/journal.ts';
import { alertKey } from '../journal/alert-book.ts';
import type { Journal } from '../journal/journal.ts';
import { log } from '../log.ts';
import type { FleetAckRequest, FleetAckResponse } from '../nats/fleet-protocol.ts';
import { controlSubject, fleetName, parseVmKey, splitFleetName } from '../nats/subjects.ts';

const HOST_ACK_PREFIX = 'host ';

export class AlertSync {
  private readonly pending = new Map<number, { host: string; request: FleetAckRequest }>();
  private readonly off: () => void;
  private readonly retry: NodeJS.Timeout;
  private watch: { stop(): void } | null = null;

  constructor(
    private readonly fleet: string,
    private readonly journal: Journal,
    private readonly nc: () => NatsConnection | null,
  ) {
    this.off = journal.subscribe({
      records: () => {},
      alert: (a) => {
        if (a.state !== 'acknowledged' || a.acknowledgedBy?.startsWith(HOST_ACK_PREFIX)) return;
        const names = splitFleetName(a.vm);
        if (!names) return;
        this.pending.set(a.id, {
          host: names.host,
          request: {
            vm: names.vm,
            event: a.event,
            device: a.device,
            node: a.node,
            operation: a.operation,
            reason: a.reason,
            by: `fleet ${this.fleet}: ${a.acknowledgedBy ?? 'unknown'}`,
          },
        });
        void this.sendPending();
      },
    });
    this.retry = setInterval(() => void this.sendPending(), 2000);
    this.retry.unref();
  }

  async attach(alerts: KV): Promise<void> {
    this.watch?.stop();
    const w = await alerts.watch({ key: '>' });
    this.watch = w;
    void (async () => {
      try {
        for await (const e of w) this.hostAlerts(e);
      } catch (err) {
        log.warn('fleet alert watch ended', { error: String(err) });
      }
    })();
    void this.sendPending();
  }

  stop(): void {
    this.off();
    clearInterval(this.retry);
    this.watch?.stop();
  }

  /** A host's alerts for one VM changed: acknowledge here what it acknowledged there. */
  private hostAlerts(e: KvWatchEntry): void {
    if (e.operation !== 'PUT') return;
    const k = parseVmKey(e.key);
    if (!k) return;
    let list: JournalAlert[];
    try {
      list = e.json<{ alerts: JournalAlert[] }>().alerts;
      if (!Array.isArray(list)) return;
    } catch {
      return;
    }
    const name = fleetName(k.vm, k.host);
    const openThere = new Set(list.filter((a) => a.state === 'open').map((a) => alertKey(name, a)));
    const ackedThere = new Map(
      list
        .filter((a) => a.state === 'acknowledged')
        .map((a) => [alertKey(name, a), a.acknowledgedBy ?? 'unknown']),
    );
    for (const a of this.journal.listAlerts({ state: 'open', vm: name, limit: 1000 })) {
      const key = alertKey(name, a);
      const by = ackedThere.get(key);
      if (by !== undefined && !openThere.has(key))
        this.journal.acknowledge(a.id, `${HOST_ACK_PREFIX}${k.host}: ${by}`);
    }
  }

  private async sendPending(): Promise<void> {
    const nc = this.nc();
    if (!nc || nc.isClosed()) return;
    for (const [id, p] of [...this.pending]) {
      try {
        const msg = await nc.request(controlSubject(p.host, 'ack'), JSON.stringify(p.request), {
          timeout: 5000,
        });
        const res = msg.json<FleetAckResponse>();
        this.pending.delete(id);
        if (!res.ok)
          log.info('the host had no such open alert', { host: p.host, vm: p.request.vm, why: res.error });
      } catch (err) {
        log.debug('alert acknowledgement not delivered yet', { host: p.host, error: String(err) });
        return;
      }
    }
  }
}
