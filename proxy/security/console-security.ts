// The console's security (tokens, Host/Origin checks, command policy, audit, TLS), built once at start.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { createSecureContext } from 'node:tls';
import { VIEWER_ALLOW } from '../../protocol/command-policy.ts';
import type { CommandGate } from '../hub/client-session.ts';
import { AccessGuard } from './access-guard.ts';
import { type CommandListener, createAuditLog } from './audit.ts';
import type { ClientLimits } from './client-limits.ts';
import { createCommandGate } from './command-gate.ts';
import { assertAuthOptional, type SecurityConfig, SecurityConfigError } from './security-config.ts';
import { generateToken, tokenCookieName } from './tokens.ts';

export interface TlsMaterial {
  cert: Buffer;
  key: Buffer;
}

export interface ConsoleSecurity {
  /** The operator token in force: the configured one, or one made now; null with --no-auth. */
  token: string | null;
  viewerToken: string | null;
  guard: AccessGuard;
  gate: CommandGate;
  audit: CommandListener;
  tls: TlsMaterial | null;
  clientLimits: ClientLimits;
  /** Called once the server listens: the token cookie's name carries the port. */
  setPort(port: number): void;
  /** The link to print: the base URL with `?token=` when a token is needed. */
  openUrl(baseUrl: string): string;
}

export function createConsoleSecurity(
  security: SecurityConfig,
  listenHost: string,
  clientLimits: ClientLimits,
): ConsoleSecurity {
  // Also checked by the CLI; a configuration built in code must not slip past it.
  if (!security.auth) assertAuthOptional(listenHost);
  const token = security.auth ? (security.token ?? generateToken()) : null;
  let port = 0;
  const guard = new AccessGuard({
    security,
    token,
    listenHost,
    cookieName: () => tokenCookieName(port),
  });
  return {
    token,
    viewerToken: security.auth ? security.viewerToken : null,
    guard,
    gate: createCommandGate({
      readOnly: security.readOnly,
      deny: security.deny,
      viewerAllow: [...VIEWER_ALLOW],
    }),
    audit: createAuditLog(),
    tls: security.tls ? loadTls(security.tls) : null,
    clientLimits,
    setPort(p) {
      port = p;
    },
    openUrl: (baseUrl) => (token ? `${baseUrl}?token=${encodeURIComponent(token)}` : baseUrl),
  };
}

function loadTls(files: { certFile: string; keyFile: string }): TlsMaterial {
  const read = (flag: string, file: string): Buffer => {
    try {
      return readFileSync(file);
    } catch (err) {
      throw new SecurityConfigError(`${flag} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  };
  const material = { cert: read('--tls-cert', files.certFile), key: read('--tls-key', files.keyFile) };
  try {
    createSecureContext(material);
  } catch (err) {
    throw new SecurityConfigError(`--tls-cert/--tls-key: ${(err as Error).message}`);
  }
  return material;
}

/** An HTTPS server when TLS material is given, else plain HTTP; the same request handler. */
export function createHttpServer(tls: TlsMaterial | null, handler: http.RequestListener): http.Server {
  if (!tls) return http.createServer(handler);
  return https.createServer({ cert: tls.cert, key: tls.key }, handler);
}
