// The NATS flags: where the fleet's NATS is, how this console proves who it is, and its name there.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { credsAuthenticator, type NodeConnectionOptions } from '@nats-io/transport-node';
import { inboxPrefix } from './subjects.ts';

export interface NatsConfig {
  /** `--nats URL` (comma-separated for a cluster) / QMP_CONSOLE_NATS_URL. */
  servers: string[];
  /** `--nats-creds FILE` / QMP_CONSOLE_NATS_CREDS: a JWT `.creds` file (decentralised auth). */
  credsFile: string | null;
  /** `--nats-user NAME` / QMP_CONSOLE_NATS_USER, with QMP_CONSOLE_NATS_PASSWORD (env only: argv is public). */
  user: string | null;
  password: string | null;
  /** `--nats-tls-ca`, `--nats-tls-cert`, `--nats-tls-key`: TLS to NATS (any one of them turns it on). */
  tls: { caFile?: string; certFile?: string; keyFile?: string } | null;
  /** `--host-name NAME`: this console's name in subjects and keys (default: the OS host name). */
  hostName: string;
}

export const natsFlagOptions = {
  nats: { type: 'string' },
  'nats-creds': { type: 'string' },
  'nats-user': { type: 'string' },
  'nats-tls-ca': { type: 'string' },
  'nats-tls-cert': { type: 'string' },
  'nats-tls-key': { type: 'string' },
  'host-name': { type: 'string' },
  fleet: { type: 'boolean' },
} as const;

export const natsUsage = `Many hosts (NATS JetStream, see docs/fleet.md):
  --nats URL                 publish this host's events, VMs and alerts to NATS, answer fleet commands
                             (nats://HOST:4222, comma-separated for a cluster; env QMP_CONSOLE_NATS_URL)
  --host-name NAME           this console's name in the fleet (default: the OS host name)
  --nats-creds FILE          NATS credentials file (env QMP_CONSOLE_NATS_CREDS)
  --nats-user NAME           NATS user (env QMP_CONSOLE_NATS_USER); the password from QMP_CONSOLE_NATS_PASSWORD
  --nats-tls-ca FILE         CA to verify the NATS server with (turns TLS on)
  --nats-tls-cert FILE       client certificate for NATS (with --nats-tls-key)
  --nats-tls-key FILE        the client certificate's private key
  --fleet                    serve every host's VMs from NATS instead of local targets (needs --nats)
`;

export class NatsConfigError extends Error {}

/** Host and VM names become subject tokens: letters, digits, `_`, `-`, `.` (dots are escaped). */
export const HOST_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

type NatsFlagValues = {
  [K in keyof typeof natsFlagOptions]?: (typeof natsFlagOptions)[K] extends { type: 'boolean' }
    ? boolean
    : string;
};

/** null when NATS is not configured (neither --nats nor QMP_CONSOLE_NATS_URL). */
export function parseNatsFlags(values: NatsFlagValues, env: NodeJS.ProcessEnv): NatsConfig | null {
  const url = values.nats ?? env.QMP_CONSOLE_NATS_URL;
  if (values.fleet && !url) throw new NatsConfigError('--fleet needs --nats URL (the fleet lives in NATS)');
  if (!url) {
    for (const flag of [
      'nats-creds',
      'nats-user',
      'nats-tls-ca',
      'nats-tls-cert',
      'nats-tls-key',
      'host-name',
    ] as const)
      if (values[flag] !== undefined) throw new NatsConfigError(`--${flag} needs --nats URL`);
    return null;
  }
  const servers = url
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const s of servers)
    if (!/^(nats|tls):\/\/[^\s/]+$|^[^\s/:]+(:\d+)?$/.test(s))
      throw new NatsConfigError(`--nats "${s}" is not nats://HOST:PORT`);
  const hostName = values['host-name'] ?? os.hostname();
  if (!HOST_NAME_PATTERN.test(hostName))
    throw new NatsConfigError(
      `--host-name "${hostName}" may hold only letters, digits, '_', '-' and '.' (64 at most)`,
    );
  const user = values['nats-user'] ?? env.QMP_CONSOLE_NATS_USER ?? null;
  const password = env.QMP_CONSOLE_NATS_PASSWORD ?? null;
  if (user && password === null)
    throw new NatsConfigError('--nats-user needs the password in QMP_CONSOLE_NATS_PASSWORD');
  const tlsFlags = {
    ...(values['nats-tls-ca'] ? { caFile: values['nats-tls-ca'] } : {}),
    ...(values['nats-tls-cert'] ? { certFile: values['nats-tls-cert'] } : {}),
    ...(values['nats-tls-key'] ? { keyFile: values['nats-tls-key'] } : {}),
  };
  if (Boolean(tlsFlags.certFile) !== Boolean(tlsFlags.keyFile))
    throw new NatsConfigError('--nats-tls-cert and --nats-tls-key go together');
  return {
    servers,
    credsFile: values['nats-creds'] ?? env.QMP_CONSOLE_NATS_CREDS ?? null,
    user,
    password: user ? password : null,
    tls: Object.keys(tlsFlags).length > 0 || servers.some((s) => s.startsWith('tls://')) ? tlsFlags : null,
    hostName,
  };
}

/** nats.js connection options: reconnect for ever, so a NATS outage only delays what we publish. */
export function connectionOptions(config: NatsConfig, name: string): NodeConnectionOptions {
  return {
    servers: config.servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    pingInterval: 5000,
    maxPingOut: 2,
    // Replies come back on an inbox only this console may read (see docs/fleet.md's permissions).
    inboxPrefix: inboxPrefix(config.hostName),
    ...(config.credsFile ? { authenticator: credsAuthenticator(readFileSync(config.credsFile)) } : {}),
    ...(config.user ? { user: config.user, pass: config.password ?? '' } : {}),
    ...(config.tls ? { tls: config.tls } : {}),
  };
}
