// The security flags: tokens, TLS, command policy, allowed origins and host names.
import { isIP } from 'node:net';
import { TOKEN_PATTERN } from './tokens.ts';

export interface SecurityConfig {
  /** false only with `--no-auth`, which is refused unless the console listens on loopback. */
  auth: boolean;
  /** The operator token (`--token` / QMP_CONSOLE_TOKEN); null: a random one is made at each start. */
  token: string | null;
  /** `--viewer-token`: a second token that grants the viewer role. */
  viewerToken: string | null;
  /** `--metrics-token`: a token for a Prometheus scraper; it opens `GET /metrics` and nothing else. */
  metricsToken: string | null;
  tls: { certFile: string; keyFile: string } | null;
  /** `--read-only`: every client is a viewer. */
  readOnly: boolean;
  /** `--deny PATTERN`: command-name globs denied to everyone. */
  deny: string[];
  /** `--allow-origin`: origins (`https://console.example.com`) accepted besides the console's own. */
  allowOrigins: string[];
  /** `--allow-host`: host names accepted besides loopback names and the listen address. */
  allowHosts: string[];
}

/** Flags for node's parseArgs, merged into the console's. */
export const securityFlagOptions = {
  token: { type: 'string' },
  'viewer-token': { type: 'string' },
  'metrics-token': { type: 'string' },
  'no-auth': { type: 'boolean' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'read-only': { type: 'boolean' },
  deny: { type: 'string', multiple: true },
  'allow-origin': { type: 'string', multiple: true },
  'allow-host': { type: 'string', multiple: true },
} as const;

export const securityUsage = `Security (see docs/security.md):
  --token TOKEN              the operator token (default: QMP_CONSOLE_TOKEN, else a random one each start)
  --viewer-token TOKEN       a second token for the read-only viewer role (default: none)
  --metrics-token TOKEN      a token for a Prometheus scraper: GET /metrics only (default: none; the other tokens also read /metrics)
  --no-auth                  no token at all; refused unless --listen is a loopback address
  --tls-cert FILE            serve HTTPS with this certificate (PEM); needs --tls-key (default: plain HTTP)
  --tls-key FILE             the certificate's private key (PEM)
  --read-only                every client is a viewer: only query-* and the viewer allowlist run
  --deny PATTERN             deny commands matching a glob to everyone, e.g. quit, 'migrate*' (repeatable)
  --allow-origin ORIGIN      also accept this browser Origin, e.g. https://console.example.com (repeatable)
  --allow-host NAME          also answer to this Host name, e.g. console.example.com (repeatable)
`;

export class SecurityConfigError extends Error {}

export interface SecurityFlagValues {
  token?: string;
  'viewer-token'?: string;
  'metrics-token'?: string;
  'no-auth'?: boolean;
  'tls-cert'?: string;
  'tls-key'?: string;
  'read-only'?: boolean;
  deny?: string[];
  'allow-origin'?: string[];
  'allow-host'?: string[];
}

/** Validates the flags against the listen host; throws SecurityConfigError with one line. */
export function parseSecurityFlags(
  values: SecurityFlagValues,
  env: NodeJS.ProcessEnv,
  listenHost: string,
): SecurityConfig {
  const auth = !values['no-auth'];
  if (!auth) {
    if (
      values.token !== undefined ||
      values['viewer-token'] !== undefined ||
      values['metrics-token'] !== undefined
    )
      throw new SecurityConfigError(
        '--no-auth cannot be combined with --token, --viewer-token or --metrics-token',
      );
    assertAuthOptional(listenHost);
  }
  const token = auth ? checkToken('--token', values.token ?? (env.QMP_CONSOLE_TOKEN || undefined)) : null;
  const viewerToken = auth ? checkToken('--viewer-token', values['viewer-token']) : null;
  if (token !== null && token === viewerToken)
    throw new SecurityConfigError('--viewer-token must differ from the operator token');
  const metricsToken = auth ? checkToken('--metrics-token', values['metrics-token']) : null;
  if (metricsToken !== null && (metricsToken === token || metricsToken === viewerToken))
    throw new SecurityConfigError('--metrics-token must differ from the operator and viewer tokens');

  const certFile = values['tls-cert'];
  const keyFile = values['tls-key'];
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new SecurityConfigError('--tls-cert and --tls-key go together: give both or neither');

  return {
    auth,
    token,
    viewerToken,
    metricsToken,
    tls: certFile && keyFile ? { certFile, keyFile } : null,
    readOnly: values['read-only'] ?? false,
    deny: (values.deny ?? []).map(checkPattern),
    allowOrigins: (values['allow-origin'] ?? []).map(normalizeOrigin),
    allowHosts: (values['allow-host'] ?? []).map(normalizeAllowHost),
  };
}

/** `--no-auth` is for a console only this machine can reach. */
export function assertAuthOptional(listenHost: string): void {
  if (!isLoopbackHost(listenHost))
    throw new SecurityConfigError(
      `--no-auth needs a loopback --listen address (127.0.0.1, ::1, localhost): "${listenHost}" can be reached from other machines`,
    );
}

export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

export function isWildcardHost(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, '$1');
  return h === '0.0.0.0' || h === '::' || h === '0:0:0:0:0:0:0:0';
}

function checkToken(flag: string, token: string | undefined): string | null {
  if (token === undefined) return null;
  if (!TOKEN_PATTERN.test(token))
    throw new SecurityConfigError(
      `${flag}: use 16 to 512 characters of A-Z a-z 0-9 . _ ~ + / = - (omit it for a random token)`,
    );
  return token;
}

function checkPattern(pattern: string): string {
  if (!/^[A-Za-z0-9_.*?-]{1,200}$/.test(pattern))
    throw new SecurityConfigError(
      `--deny "${pattern}": a command-name glob of letters, digits, - _ . and the wildcards * ?`,
    );
  return pattern;
}

function normalizeOrigin(origin: string): string {
  let url: URL | null = null;
  try {
    url = new URL(origin);
  } catch {}
  const plain =
    url !== null &&
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    /^https?:\/\/[^/?#@]+\/?$/i.test(origin);
  if (!plain)
    throw new SecurityConfigError(
      `--allow-origin "${origin}": give a scheme and host, like https://console.example.com (no path)`,
    );
  return url!.origin;
}

/** A host name or IP literal, without port; stored in the form a Host header's hostname takes. */
export function normalizeAllowHost(name: string): string {
  const h = name.toLowerCase().replace(/\.$/, '');
  if (isIP(h) === 6) return `[${h}]`;
  if (
    /^\[[0-9a-f:.]+\]$/.test(h) ||
    /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(h)
  )
    return h;
  throw new SecurityConfigError(`--allow-host "${name}": give a host name or IP address, without port`);
}
