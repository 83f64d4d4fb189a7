// Host and Origin checks: DNS rebinding and cross-site requests (WebSocket hijacking included).
import os from 'node:os';
import { isWildcardHost, normalizeAllowHost } from './security-config.ts';

/**
 * The names this console answers to: loopback names, the listen address, `--allow-host`, and when
 * it listens on every interface, the machine's own addresses and host name. A DNS-rebinding page
 * reaches a loopback port under the attacker's own name, which is none of these.
 */
export function consoleHostNames(listenHost: string, allowHosts: string[]): Set<string> {
  const names = new Set(['localhost', '127.0.0.1', '[::1]', ...allowHosts.map(normalizeAllowHost)]);
  if (isWildcardHost(listenHost)) {
    for (const addrs of Object.values(os.networkInterfaces()))
      for (const a of addrs ?? [])
        names.add(a.family === 'IPv6' ? `[${a.address.split('%')[0]}]` : a.address);
    names.add(os.hostname().toLowerCase());
  } else {
    names.add(normalizeAllowHost(listenHost));
  }
  return names;
}

export interface HostPort {
  hostname: string;
  port: string;
}

/** `Host` header → hostname (lower case, IPv6 in brackets) and port ('' when absent); null if malformed. */
export function parseHostHeader(host: string | undefined): HostPort | null {
  if (!host) return null;
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+?)\.?(?::(\d{1,5}))?$/.exec(host);
  if (!m) return null;
  return { hostname: m[1]!.toLowerCase(), port: m[2] ?? '' };
}

export function hostAllowed(host: string | undefined, names: Set<string>): boolean {
  const parsed = parseHostHeader(host);
  return parsed !== null && names.has(parsed.hostname);
}

/**
 * A browser's `Origin` is acceptable when it is the page's own origin (same host and port as the
 * request's `Host`, which was already checked) or listed with `--allow-origin`. No Origin at all is
 * not a browser (curl, scripts): the token still applies. `Origin: null` (sandboxed frames, files)
 * never is.
 */
export function originAllowed(
  origin: string | undefined,
  host: string | undefined,
  allowOrigins: string[],
): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (allowOrigins.includes(url.origin)) return true;
  const own = parseHostHeader(host);
  if (!own) return false;
  const defaultPort = url.protocol === 'https:' ? '443' : '80';
  return (
    url.hostname.toLowerCase() === own.hostname && (url.port || defaultPort) === (own.port || defaultPort)
  );
}
