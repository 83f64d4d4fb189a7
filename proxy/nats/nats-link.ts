// One console's connection to NATS, kept for the console's life: connect in the background (NATS may
// be down when the console starts), make sure the stream and buckets exist after every (re)connect,
// and tell the users of the connection when it is up or down.
import { JetStreamApiError, type JetStreamClient, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { type KV, Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { log } from '../log.ts';
import { connectionOptions, type NatsConfig } from './nats-config.ts';
import { ALERTS_BUCKET, EVENT_STREAM, eventStreamConfig, HOSTS_BUCKET, VMS_BUCKET } from './subjects.ts';

export interface NatsReady {
  nc: NatsConnection;
  js: JetStreamClient;
  vms: KV;
  alerts: KV;
  hosts: KV;
}

export interface NatsLinkHandlers {
  /** The connection and the fleet's stream and buckets are usable (first connect and every reconnect). */
  up(ready: NatsReady): void | Promise<void>;
  down(): void;
}

export class NatsLink {
  private nc: NatsConnection | null = null;
  private ready: NatsReady | null = null;
  private closed = false;
  private readonly connecting: Promise<void>;

  constructor(
    config: NatsConfig,
    clientName: string,
    private readonly handlers: NatsLinkHandlers,
  ) {
    this.connecting = this.run(config, clientName);
  }

  get current(): NatsReady | null {
    return this.ready;
  }

  private async run(config: NatsConfig, clientName: string): Promise<void> {
    let nc: NatsConnection;
    try {
      nc = await connect(connectionOptions(config, clientName));
    } catch (err) {
      if (!this.closed) log.error('cannot connect to NATS', { error: String(err) });
      return;
    }
    if (this.closed) {
      await nc.close();
      return;
    }
    this.nc = nc;
    log.info('connected to NATS', { server: nc.getServer() });
    void this.prepare(nc);
    for await (const s of nc.status()) {
      if (s.type === 'disconnect') {
        log.warn('NATS connection lost; working alone until it is back', { server: String(s.server ?? '') });
        this.ready = null;
        this.handlers.down();
      } else if (s.type === 'reconnect') {
        log.info('NATS connection back', { server: String(s.server ?? '') });
        void this.prepare(nc);
      }
    }
  }

  /** Stream and buckets, created when absent (a fresh NATS, or one that lost its store). */
  private async prepare(nc: NatsConnection): Promise<void> {
    for (let attempt = 0; !this.closed && !nc.isClosed(); attempt++) {
      try {
        const jsm = await jetstreamManager(nc, { timeout: 5000 });
        try {
          await jsm.streams.info(EVENT_STREAM);
        } catch (err) {
          if (!(err instanceof JetStreamApiError) || (err.status !== 404 && err.code !== 10059)) throw err;
          await jsm.streams.add(eventStreamConfig());
        }
        const js = jetstream(nc, { timeout: 5000 });
        const kvm = new Kvm(js);
        const [vms, alerts, hosts] = await Promise.all([
          kvm.create(VMS_BUCKET, { history: 1 }),
          kvm.create(ALERTS_BUCKET, { history: 1 }),
          kvm.create(HOSTS_BUCKET, { history: 1, ttl: 24 * 3600 * 1000 }),
        ]);
        this.ready = { nc, js, vms, alerts, hosts };
        await this.handlers.up(this.ready);
        return;
      } catch (err) {
        log.warn('NATS JetStream not ready; retrying', { error: String(err) });
        await new Promise((r) => setTimeout(r, Math.min(250 * 2 ** attempt, 2000)));
      }
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.ready = null;
    const nc = this.nc;
    if (nc && !nc.isClosed()) await nc.drain().catch(() => nc.close());
    await this.connecting.catch(() => {});
  }
}
