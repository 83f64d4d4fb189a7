// `--fleet`: the console for every host, from NATS. The same SPA and API as a host console; VMs are
// named `VM@HOST`, their events come from the hosts' stream into this console's own journal, and
// their commands go to their host.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { ConsoleConfig } from '../config/cli-config.ts';
import { consoleUrl, defaultStaticDir, type StartOptions } from '../console.ts';
import { createConsoleStream } from '../http/console-stream.ts';
import { createJournalRoutes } from '../http/journal-routes.ts';
import { createConsoleServer } from '../http/server.ts';
import { createAdmissions } from '../http/stream-admission.ts';
import { Journal } from '../journal/journal.ts';
import { JournalStore } from '../journal/journal-store.ts';
import { CursorTable } from '../nats/cursor-table.ts';
import { NatsLink } from '../nats/nats-link.ts';
import { composeCommandListeners } from '../security/audit.ts';
import { createConsoleSecurity } from '../security/console-security.ts';
import { summarizeRefusals } from '../security/refusal-summary.ts';
import { AlertSync } from './alert-sync.ts';
import { EventIngest } from './event-ingest.ts';
import { FleetDirectory } from './fleet-directory.ts';
import { FleetHub } from './fleet-hub.ts';

export interface RunningFleetConsole {
  url: string;
  openUrl: string;
  token: string | null;
  viewerToken: string | null;
  port: number;
  hub: FleetHub;
  directory: FleetDirectory;
  ingest: EventIngest;
  journal: Journal;
  stop(): Promise<void>;
}

export interface FleetStartOptions
  extends Pick<StartOptions, 'staticDir' | 'onCommand' | 'journal' | 'eventStream' | 'consoleStream'> {
  /** Liveness and ordering timing (tests). */
  directory?: ConstructorParameters<typeof FleetDirectory>[0];
  ingest?: ConstructorParameters<typeof EventIngest>[3];
}

export async function startFleetConsole(
  config: ConsoleConfig,
  options: FleetStartOptions = {},
): Promise<RunningFleetConsole> {
  const nats = config.nats;
  if (!nats) throw new Error('--fleet needs --nats');
  const fleet = nats.hostName;
  const security = createConsoleSecurity(config.security, config.listen.host, {
    maxClients: config.limits.maxClients,
    maxClientsPerVm: config.limits.maxClientsPerVm,
  });
  mkdirSync(config.dataDir, { recursive: true });
  const journal = new Journal(JournalStore.open(path.join(config.dataDir, 'journal.sqlite')), {
    ...options.journal,
    retention: config.journal,
    auditRetention: config.audit,
  });
  // Refusals through the fleet are thinned as on a host: the first of a window whole, the rest summed.
  const refusals = summarizeRefusals(
    composeCommandListeners(security.audit, (r) => journal.recordCommand(r)),
  );
  const directory = new FleetDirectory(options.directory);
  const ingest = new EventIngest(fleet, journal, new CursorTable(journal.store.db), options.ingest);
  const link: NatsLink = new NatsLink(nats, `qmp-console fleet ${fleet}`, {
    up: async (ready) => {
      void ingest.start(ready.nc, ready.js);
      await directory.attach(ready);
      await alerts.attach(ready.alerts);
    },
    down: () => directory.detach(),
  });
  const nc = () => link.current?.nc ?? null;
  const alerts = new AlertSync(fleet, journal, nc);
  const hub = new FleetHub({
    fleet,
    directory,
    ingest,
    nc,
    session: {
      maxInFlight: config.limits.maxInFlight,
      maxBytesInFlight: config.limits.maxBytesInFlight,
      maxBufferedBytes: config.limits.maxBufferedBytes,
      gate: security.gate,
      onCommand: composeCommandListeners(refusals.listener, options.onCommand),
    },
  });
  journal.startRetention();
  const admissions = createAdmissions(config.limits);
  const server = createConsoleServer({
    hub,
    staticDir: options.staticDir ?? defaultStaticDir(),
    limits: {
      maxFrameBytes: config.limits.maxFrameBytes,
      maxViewerFrameBytes: config.limits.maxViewerFrameBytes,
      heartbeatMs: config.limits.heartbeatMs,
    },
    guard: security.guard,
    clientLimits: security.clientLimits,
    tls: security.tls,
    journal: createJournalRoutes({
      journal,
      vmExists: (name) => directory.entry(name) !== undefined,
      admissions,
      ...(options.eventStream ? { stream: options.eventStream } : {}),
    }),
    admissions,
    stream: createConsoleStream(hub, journal, options.consoleStream),
  });
  const stopAll = async () => {
    hub.stop();
    alerts.stop();
    ingest.stop();
    directory.stop();
    await link.close();
    refusals.flush();
    journal.close();
  };
  try {
    const address = await server.listen(config.listen.host, config.listen.port);
    security.setPort(address.port);
    const url = consoleUrl(address, security.tls !== null);
    return {
      url,
      openUrl: security.openUrl(url),
      token: security.token,
      viewerToken: security.viewerToken,
      port: address.port,
      hub,
      directory,
      ingest,
      journal,
      async stop() {
        await server.close();
        await stopAll();
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
