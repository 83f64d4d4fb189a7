// Command-line flags → a validated configuration, or a list of what is wrong.
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_VIEWER_FRAME_BYTES } from '../http/qmp-websocket.ts';
import { DEFAULT_STREAM_LIMITS } from '../http/stream-admission.ts';
import { parseDuration } from '../journal/duration.ts';
import {
  type NatsConfig,
  NatsConfigError,
  natsFlagOptions,
  natsUsage,
  parseNatsFlags,
} from '../nats/nats-config.ts';
import type { Target } from '../qmp/target.ts';
import {
  parseSecurityFlags,
  type SecurityConfig,
  SecurityConfigError,
  securityFlagOptions,
  securityUsage,
} from '../security/security-config.ts';
import { parseTarget } from './target-address.ts';

export interface ConsoleConfig {
  listen: { host: string; port: number };
  targets: Target[];
  /** true when no --target was given: the console boots its own demo VM. */
  demo: boolean;
  dataDir: string;
  listenQmp: { name: string; path: string }[];
  /** `--listen-qmp-group`: a group name or gid; null leaves the sockets to the console's user. */
  listenQmpGroup: string | null;
  limits: {
    maxFrameBytes: number;
    maxBufferedBytes: number;
    maxInFlight: number;
    maxBytesInFlight: number;
    heartbeatMs: number;
    maxLineBytes: number;
    maxClients: number;
    maxClientsPerVm: number;
    maxConnections: number;
    maxConnectionsPerAddress: number;
    headerTimeoutMs: number;
    maxViewerFrameBytes: number;
    maxStreams: number;
    maxStreamsPerAddress: number;
    maxExports: number;
    maxExportsPerAddress: number;
  };
  /** Tokens, TLS, command policy, allowed origins and hosts (proxy/security). */
  security: SecurityConfig;
  /** Event journal retention: at most maxEvents events, none older than maxAgeMs (null: no age limit). */
  journal: { maxEvents: number; maxAgeMs: number | null };
  /** Audit trail retention, apart from the events': at most maxRecords, none older than maxAgeMs. */
  audit: { maxRecords: number; maxAgeMs: number | null };
  /** `--nats`: this host in a fleet (docs/fleet.md); null when alone. */
  nats: NatsConfig | null;
  /** `--fleet`: serve every host's VMs from NATS (no local targets). */
  fleet: boolean;
}

export const usage = `Usage: qmp-console [options]

A browser console for QEMU's QMP. With no --target it boots a demo VM in QEMU.

Options:
  --listen HOST:PORT         address to serve the console on (default 127.0.0.1:8080)
  --target NAME=ADDRESS      a VM's QMP socket: NAME=unix:PATH or NAME=tcp:HOST:PORT (repeatable)
  --data-dir DIR             the console's state: event journal, demo VM (default ~/.local/state/qmp-console)
  --listen-qmp NAME=unix:PATH  also share VM NAME's session as a plain QMP socket (repeatable; mode 0600)
  --listen-qmp-group GROUP   let GROUP connect to the --listen-qmp sockets too (mode 0660) (default: none)
  --max-frame-bytes N        largest WebSocket frame a client may send (default 1048576)
  --max-buffered-bytes N     bytes queued for a client that stopped reading before it is cut off (default 16777216)
  --max-in-flight N          commands one client may have waiting for QEMU (default 1000)
  --max-bytes-in-flight N    bytes of commands one client may have waiting for QEMU (default 4194304)
  --heartbeat-ms N           WebSocket ping interval; a client that misses a pong is dropped (default 30000)
  --max-clients N            WebSocket clients the console serves in total (default 256)
  --max-clients-per-vm N     WebSocket clients per VM (default 64)
  --max-connections N        open HTTP connections in total; past it the oldest without a token is closed (default 1024)
  --max-connections-per-address N  the same per remote address (default 256)
  --header-timeout-ms N      time a connection has to send its request headers (default 10000)
  --max-viewer-frame-bytes N  largest WebSocket frame a viewer may send (default 4096)
  --max-streams N            event streams (SSE) open at once; past it 503 (default 256)
  --max-streams-per-address N  the same per remote address (default 64)
  --max-exports N            NDJSON journal exports running at once; past it 503 (default 4)
  --max-exports-per-address N  the same per remote address (default 2)
  --journal-max-events N     events the journal keeps, oldest pruned first (default 1000000)
  --journal-max-age AGE      prune events older than AGE: 30d, 12h, 90m, 1w (default: no age limit)
  --audit-max-records N      command audit records kept, oldest pruned first (default 1000000)
  --audit-max-age AGE        prune audit records older than AGE (default: no age limit)
  -h, --help                 show this help

${securityUsage}
${natsUsage}
QEMU side: -qmp unix:/run/vm.qmp,server=on,wait=off   (for TCP add nodelay=on)
`;

export class ConfigError extends Error {}

const flagOptions = {
  listen: { type: 'string' },
  target: { type: 'string', multiple: true },
  'data-dir': { type: 'string' },
  'listen-qmp': { type: 'string', multiple: true },
  'listen-qmp-group': { type: 'string' },
  'max-frame-bytes': { type: 'string' },
  'max-buffered-bytes': { type: 'string' },
  'max-in-flight': { type: 'string' },
  'max-bytes-in-flight': { type: 'string' },
  'heartbeat-ms': { type: 'string' },
  'max-clients': { type: 'string' },
  'max-clients-per-vm': { type: 'string' },
  'max-connections': { type: 'string' },
  'max-connections-per-address': { type: 'string' },
  'header-timeout-ms': { type: 'string' },
  'max-viewer-frame-bytes': { type: 'string' },
  'max-streams': { type: 'string' },
  'max-streams-per-address': { type: 'string' },
  'max-exports': { type: 'string' },
  'max-exports-per-address': { type: 'string' },
  'journal-max-events': { type: 'string' },
  'journal-max-age': { type: 'string' },
  'audit-max-records': { type: 'string' },
  'audit-max-age': { type: 'string' },
  ...securityFlagOptions,
  ...natsFlagOptions,
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : Number.NaN;
  if (!m || port > 65535) throw new ConfigError(`--listen "${text}" is not HOST:PORT`);
  return { host: (m[1] ?? m[2])!, port };
}

function positiveInt(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0)
    throw new ConfigError(`--${flag} "${text}" is not a positive whole number`);
  return n;
}

/** Returns the configuration, `'help'`, or throws ConfigError with one line naming the bad flag. */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): ConsoleConfig | 'help' {
  let values: ReturnType<
    typeof parseArgs<{ options: typeof flagOptions; allowPositionals: true; strict: true }>
  >['values'];
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      options: flagOptions,
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    throw new ConfigError((err as Error).message.split('\n')[0]!.replace(/\. To specify.*$/, ''));
  }
  if (values.help) return 'help';
  if (positionals.length > 0)
    throw new ConfigError(`unexpected argument "${positionals[0]}" (flags start with --)`);

  const wrap = <T>(flag: string, fn: () => T): T => {
    try {
      return fn();
    } catch (err) {
      throw new ConfigError(
        err instanceof ConfigError ? err.message : `--${flag}: ${(err as Error).message}`,
      );
    }
  };
  const targets = (values.target ?? []).map((spec) => wrap('target', () => parseTarget(spec)));
  const seen = new Set<string>();
  for (const t of targets) {
    if (seen.has(t.name)) throw new ConfigError(`--target: VM name "${t.name}" is given twice`);
    seen.add(t.name);
  }
  const listenQmp = (values['listen-qmp'] ?? []).map((spec) =>
    wrap('listen-qmp', () => {
      const t = parseTarget(spec);
      if (t.address.kind !== 'unix')
        throw new ConfigError(`--listen-qmp "${spec}": only unix:PATH is supported`);
      return { name: t.name, path: t.address.path };
    }),
  );
  let nats: NatsConfig | null;
  try {
    nats = parseNatsFlags(values, env);
  } catch (err) {
    throw err instanceof NatsConfigError ? new ConfigError(err.message) : err;
  }
  const fleet = values.fleet === true;
  if (fleet && targets.length > 0)
    throw new ConfigError('--fleet takes no --target: the fleet console serves the VMs of its hosts');
  const demo = targets.length === 0 && !fleet;
  for (const l of listenQmp) {
    if (!demo && !seen.has(l.name)) throw new ConfigError(`--listen-qmp: no --target named "${l.name}"`);
    if (demo && l.name !== 'demo')
      throw new ConfigError(`--listen-qmp: no VM named "${l.name}" (the demo VM is "demo")`);
  }
  const listen = parseListen(values.listen ?? '127.0.0.1:8080');
  let security: SecurityConfig;
  try {
    security = parseSecurityFlags(values, env, listen.host);
  } catch (err) {
    throw err instanceof SecurityConfigError ? new ConfigError(err.message) : err;
  }
  const stateHome = env.XDG_STATE_HOME ?? path.join(os.homedir(), '.local', 'state');
  return {
    listen,
    targets,
    demo,
    dataDir: path.resolve(values['data-dir'] ?? path.join(stateHome, 'qmp-console')),
    listenQmp,
    listenQmpGroup: values['listen-qmp-group'] ?? null,
    limits: {
      maxFrameBytes: positiveInt('max-frame-bytes', values['max-frame-bytes'], 1024 * 1024),
      maxBufferedBytes: positiveInt('max-buffered-bytes', values['max-buffered-bytes'], 16 * 1024 * 1024),
      maxInFlight: positiveInt('max-in-flight', values['max-in-flight'], 1000),
      maxBytesInFlight: positiveInt('max-bytes-in-flight', values['max-bytes-in-flight'], 4 * 1024 * 1024),
      heartbeatMs: positiveInt('heartbeat-ms', values['heartbeat-ms'], 30_000),
      maxLineBytes: 16 * 1024 * 1024,
      maxClients: positiveInt('max-clients', values['max-clients'], 256),
      maxClientsPerVm: positiveInt('max-clients-per-vm', values['max-clients-per-vm'], 64),
      maxConnections: positiveInt('max-connections', values['max-connections'], 1024),
      maxConnectionsPerAddress: positiveInt(
        'max-connections-per-address',
        values['max-connections-per-address'],
        256,
      ),
      headerTimeoutMs: positiveInt('header-timeout-ms', values['header-timeout-ms'], 10_000),
      maxViewerFrameBytes: positiveInt(
        'max-viewer-frame-bytes',
        values['max-viewer-frame-bytes'],
        DEFAULT_MAX_VIEWER_FRAME_BYTES,
      ),
      maxStreams: positiveInt('max-streams', values['max-streams'], DEFAULT_STREAM_LIMITS.maxStreams),
      maxStreamsPerAddress: positiveInt(
        'max-streams-per-address',
        values['max-streams-per-address'],
        DEFAULT_STREAM_LIMITS.maxStreamsPerAddress,
      ),
      maxExports: positiveInt('max-exports', values['max-exports'], DEFAULT_STREAM_LIMITS.maxExports),
      maxExportsPerAddress: positiveInt(
        'max-exports-per-address',
        values['max-exports-per-address'],
        DEFAULT_STREAM_LIMITS.maxExportsPerAddress,
      ),
    },
    security,
    journal: {
      maxEvents: positiveInt('journal-max-events', values['journal-max-events'], 1_000_000),
      maxAgeMs: maxAge('journal-max-age', values['journal-max-age']),
    },
    audit: {
      maxRecords: positiveInt('audit-max-records', values['audit-max-records'], 1_000_000),
      maxAgeMs: maxAge('audit-max-age', values['audit-max-age']),
    },
    nats,
    fleet,
  };
}

function maxAge(flag: string, text: string | undefined): number | null {
  if (text === undefined) return null;
  const ms = parseDuration(text);
  if (ms === null) throw new ConfigError(`--${flag} "${text}" is not a duration like 30d, 12h or 90m`);
  return ms;
}
