import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConsoleConfig } from './config/cli-config.ts';
import type { BlockSamplerOptions } from './guest/block-sampler.ts';
import { type Guest, startGuest } from './guest/guest.ts';
import { type ConsoleStreamOptions, createConsoleStream } from './http/console-stream.ts';
import { createGuestRoutes } from './http/guest-routes.ts';
import { createJournalRoutes } from './http/journal-routes.ts';
import { createConsoleServer } from './http/server.ts';
import { createAdmissions } from './http/stream-admission.ts';
import { Hub } from './hub/hub.ts';
import type { EventStreamOptions } from './journal/event-stream.ts';
import { Journal, type JournalOptions } from './journal/journal.ts';
import { JournalStore } from './journal/journal-store.ts';
import { listenQmpSocket, type QmpSocketListener, resolveGroup } from './listen/qmp-socket-listener.ts';
import { ConsoleMetrics, type ConsoleMetricsOptions } from './metrics/console-metrics.ts';
import { createMetricsHandler } from './metrics/metrics-route.ts';
import { type HostLink, type HostLinkOptions, startHostLink } from './nats/host-link.ts';
import type { Target } from './qmp/target.ts';
import type { UpstreamOptions } from './qmp/upstream-session.ts';
import { type CommandListener, composeCommandListeners } from './security/audit.ts';
import { clientLimitProblem } from './security/client-limits.ts';
import { createConsoleSecurity } from './security/console-security.ts';
import { claimDataDir, type DataDirLock } from './security/data-dir.ts';
import { type RefusalSummary, summarizeRefusals } from './security/refusal-summary.ts';
import { isWildcardHost } from './security/security-config.ts';

export interface RunningConsole {
  /** The console's base URL, without a token. */
  url: string;
  /** The link to open: `url` with `?token=` (the same as `url` with --no-auth). */
  openUrl: string;
  /** The operator token in force (given, or made at this start); null with --no-auth. */
  token: string | null;
  viewerToken: string | null;
  port: number;
  hub: Hub;
  journal: Journal;
  metrics: ConsoleMetrics;
  /** Screens, serial logs, I/O history, NICs and panic screenshots. */
  guest: Guest;
  /** Refused commands waiting for their summary record. */
  refusals: RefusalSummary;
  /** With `--nats`: this host's link to the fleet. */
  fleetLink: HostLink | null;
  stop(): Promise<void>;
}

/** The built SPA: `dist/web`, beside the compiled proxy in `dist/proxy` or from the sources. */
export function defaultStaticDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', here.includes(`${path.sep}dist${path.sep}`) ? 'web' : 'dist/web');
}

/** The URL to browse to: listening on every interface names the machine, as 0.0.0.0 is no address. */
export function consoleUrl(address: AddressInfo, tls: boolean): string {
  const host = isWildcardHost(address.address)
    ? hostname()
    : address.family === 'IPv6'
      ? `[${address.address}]`
      : address.address;
  return `${tls ? 'https' : 'http'}://${host}:${address.port}/`;
}

export interface StartOptions {
  /** Targets to use instead of config.targets (the demo VM's, for instance). */
  targets?: Target[];
  staticDir?: string;
  upstream?: UpstreamOptions;
  /** Also told about every command (the audit log always is). */
  onCommand?: CommandListener;
  /** Journal batching, retry and retention timing (tests); retention limits come from config. */
  journal?: Omit<JournalOptions, 'retention' | 'auditRetention'>;
  /** How long one window of refused commands lasts in the audit trail (tests). */
  refusalWindowMs?: number;
  eventStream?: Partial<EventStreamOptions>;
  /** The data dir's lock when the caller took it already (before booting the demo VM in it). */
  dataDirLock?: DataDirLock;
  /** Sampling timing for /metrics (tests). */
  metrics?: Pick<ConsoleMetricsOptions, 'sampler'>;
  /** Block statistics sampling (tests sample faster). */
  sampler?: BlockSamplerOptions;
  /** Heartbeat and publishing timing with `--nats` (tests). */
  hostLink?: HostLinkOptions;
  consoleStream?: Partial<ConsoleStreamOptions>;
}

export async function startConsole(
  config: ConsoleConfig,
  options: StartOptions = {},
): Promise<RunningConsole> {
  const security = createConsoleSecurity(config.security, config.listen.host, {
    maxClients: config.limits.maxClients,
    maxClientsPerVm: config.limits.maxClientsPerVm,
  });
  // Before anything in the directory is touched: a second console on it stops here, harming nothing.
  const lock = options.dataDirLock ?? claimDataDir(config.dataDir);
  let journal: Journal;
  try {
    const journalPath = path.join(config.dataDir, 'journal.sqlite');
    // Throws JournalOpenError (unwritable, corrupt): the console does not run without its memory.
    journal = new Journal(JournalStore.open(journalPath), {
      ...options.journal,
      retention: config.journal,
      auditRetention: config.audit,
    });
  } catch (err) {
    lock.release();
    throw err;
  }
  const targets = options.targets ?? config.targets;
  // Its command listener goes in the hub's options: the hub comes after, the VMs it reads come from it.
  let metrics: ConsoleMetrics | null = null;
  // Every client's commands, the fleet's through NATS included: counted each, audited and journaled
  // each, except refusals: those are audited as the first of a window and a summary of the rest.
  const refusals = summarizeRefusals(
    composeCommandListeners(security.audit, (r) => journal.recordCommand(r)),
    options.refusalWindowMs === undefined ? {} : { windowMs: options.refusalWindowMs },
  );
  const onCommand = composeCommandListeners(refusals.listener, options.onCommand, (r) =>
    metrics?.onCommand(r),
  );
  const hub = new Hub(targets, {
    upstream: { maxLineBytes: config.limits.maxLineBytes, ...options.upstream },
    session: {
      maxInFlight: config.limits.maxInFlight,
      maxBytesInFlight: config.limits.maxBytesInFlight,
      maxBufferedBytes: config.limits.maxBufferedBytes,
      gate: security.gate,
      onCommand,
    },
    eventSink: journal.sink,
  });
  for (const vm of hub.all()) vm.onStatus((v, status) => journal.vmStatus(v.name, status));
  const admissions = createAdmissions(config.limits, (limit) => metrics?.countRefused(limit));
  metrics = new ConsoleMetrics({ vms: hub.all(), journal, admissions, ...options.metrics });
  const guest = startGuest({
    hub,
    journal,
    dataDir: config.dataDir,
    ...(options.sampler ? { sampler: options.sampler } : {}),
  });
  journal.startRetention();
  hub.start();
  const fleetLink = config.nats
    ? startHostLink(config.nats, { hub, journal, gate: security.gate, onCommand }, options.hostLink)
    : null;
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
    connectionLimits: {
      maxConnections: config.limits.maxConnections,
      maxConnectionsPerAddress: config.limits.maxConnectionsPerAddress,
      headerTimeoutMs: config.limits.headerTimeoutMs,
    },
    tls: security.tls,
    journal: createJournalRoutes({
      journal,
      vmExists: (name) => hub.get(name) !== undefined,
      admissions,
      ...(options.eventStream ? { stream: options.eventStream } : {}),
    }),
    admissions,
    metrics: createMetricsHandler(metrics),
    guest: createGuestRoutes({
      ...guest,
      vmExists: (name) => hub.get(name) !== undefined,
      gate: security.gate,
      onCommand,
    }),
    stream: createConsoleStream(hub, journal, options.consoleStream),
  });
  const listeners: QmpSocketListener[] = [];
  try {
    const groupId = config.listenQmpGroup === null ? undefined : resolveGroup(config.listenQmpGroup);
    for (const l of config.listenQmp)
      listeners.push(
        await listenQmpSocket(hub.get(l.name)!, l.path, config.limits.maxLineBytes, {
          admissionProblem: () => clientLimitProblem(hub, l.name, security.clientLimits),
          ...(groupId === undefined ? {} : { groupId }),
        }),
      );
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
      journal,
      metrics,
      guest,
      refusals,
      fleetLink,
      async stop() {
        await Promise.all(listeners.map((l) => l.close()));
        await server.close();
        metrics.close();
        guest.stop();
        await hub.stop();
        await fleetLink?.stop();
        refusals.flush();
        journal.close();
        lock.release();
      },
    };
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close()));
    metrics.close();
    guest.stop();
    await hub.stop();
    await fleetLink?.stop();
    journal.close();
    lock.release();
    throw err;
  }
}
