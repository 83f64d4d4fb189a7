// A host console in a fleet (`--nats`): its journal to the stream, its VMs and alerts to KV, its
// heartbeat, and answers to the fleet's commands. The console works the same without NATS; this only
// adds to it, and catches up after an outage.
import type { Subscription } from '@nats-io/transport-node';
import type { CommandGate } from '../hub/client-session.ts';
import type { Hub } from '../hub/hub.ts';
import type { Journal } from '../journal/journal.ts';
import type { CommandListener } from '../security/audit.ts';
import { startCommandResponder } from './command-responder.ts';
import { CursorTable } from './cursor-table.ts';
import { EventPublisher, type EventPublisherOptions } from './event-publisher.ts';
import { HostState } from './host-state.ts';
import type { NatsConfig } from './nats-config.ts';
import { NatsLink } from './nats-link.ts';

export interface HostLinkOptions {
  heartbeatMs?: number;
  flushMs?: number;
  publisher?: EventPublisherOptions;
}

export interface HostLink {
  publisher: EventPublisher;
  stop(): Promise<void>;
}

export function startHostLink(
  config: NatsConfig,
  deps: { hub: Hub; journal: Journal; gate: CommandGate; onCommand: CommandListener },
  options: HostLinkOptions = {},
): HostLink {
  const host = config.hostName;
  const cursors = new CursorTable(deps.journal.store.db);
  let subs: Subscription[] = [];
  const state = new HostState(host, deps.hub, deps.journal, {
    heartbeatMs: options.heartbeatMs ?? 2000,
    flushMs: options.flushMs ?? 250,
  });
  const link: NatsLink = new NatsLink(config, `qmp-console host ${host}`, {
    up: (ready) => {
      // Subscriptions survive reconnects inside nats.js: make them once.
      if (subs.length === 0) subs = startCommandResponder(ready.nc, { host, ...deps });
      state.attach(ready);
      publisher.poke();
    },
    down: () => state.detach(),
  });
  const publisher = new EventPublisher(
    host,
    deps.journal,
    cursors,
    () => link.current?.js ?? null,
    options.publisher,
  );
  publisher.start();
  return {
    publisher,
    async stop() {
      await publisher.drain(2000);
      await state.stop();
      await publisher.stop();
      for (const s of subs) s.unsubscribe();
      await link.close();
    },
  };
}
