// Who may reach what: Host, Origin and token checks for every HTTP request and WebSocket upgrade.
//
// Order: Host (403) → Origin (403) → token (401) → role (403 for a viewer's state-changing request).
// The SPA's own files (index.html, /assets) load without a token so the page can tell a visitor
// without one to open the link printed at start; they hold no VM data. `/api/**` and `/qmp/**`
// always need a token (unless --no-auth). `GET <any page>?token=T` with a valid T sets the cookie
// and redirects to the same page without the token in the address bar.
import type { IncomingMessage } from 'node:http';
import type { ApiErrorBody, ConsoleRole, SessionInfo } from '../../protocol/api.ts';
import { VIEWER_ALLOW } from '../../protocol/command-policy.ts';
import { log } from '../log.ts';
import { consoleHostNames, hostAllowed, originAllowed } from './origin-host.ts';
import type { SecurityConfig } from './security-config.ts';
import { presentedTokens, TokenSet, tokenCookie } from './tokens.ts';

export interface AccessGuardOptions {
  security: SecurityConfig;
  /** The operator token in force (the configured one or the one made at start); null with --no-auth. */
  token: string | null;
  listenHost: string;
  /** The cookie's name; known once the server listens (it carries the port). */
  cookieName: () => string;
}

/**
 * What to do with a request or upgrade: let it through with the client's role (null: a visitor
 * without a token, static files only), refuse it, or redirect (the start link's token becomes a cookie).
 * The guard decides; the HTTP layer answers.
 */
export type AccessDecision =
  | { kind: 'allow'; role: ConsoleRole | null }
  | {
      kind: 'refuse';
      status: number;
      /** A JSON body (the API), or plain text for a person following a link. */
      body: ApiErrorBody | string;
      headers: Record<string, string>;
    }
  | { kind: 'redirect'; location: string; headers: Record<string, string> };

/** An upgrade is refused with a plain HTTP status before any WebSocket exists. */
export type UpgradeDecision =
  | { kind: 'allow'; role: ConsoleRole }
  | { kind: 'refuse'; status: number; message: string; headers: Record<string, string> };

const BEARER = { 'www-authenticate': 'Bearer realm="qmp-console"' };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Sent with every HTTP response: no framing (clickjacking a Quit button), no token in Referer, and a
 * page that runs only the console's own scripts and talks only to the console (an injected script could
 * not load code from elsewhere nor send what it read to another host). Styles are left open: libraries
 * set inline styles, which run no code.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-frame-options': 'DENY',
  'content-security-policy':
    "script-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

export class AccessGuard {
  private readonly tokens: TokenSet;
  /** Every token that may read `GET /metrics`: the console's own and `--metrics-token`. */
  private readonly metricsTokens: TokenSet;
  private readonly hostNames: Set<string>;

  constructor(private readonly options: AccessGuardOptions) {
    const { security, token } = options;
    const entries: { token: string; role: ConsoleRole }[] = [];
    if (security.auth && token) entries.push({ token, role: 'operator' });
    if (security.auth && security.viewerToken) entries.push({ token: security.viewerToken, role: 'viewer' });
    this.tokens = new TokenSet(entries);
    // The metrics token is in this set only: everywhere else it is no token at all.
    const metricsToken = security.auth ? security.metricsToken : null;
    this.metricsTokens = new TokenSet(
      metricsToken ? [...entries, { token: metricsToken, role: 'viewer' }] : entries,
    );
    this.hostNames = consoleHostNames(options.listenHost, security.allowHosts);
  }

  get authRequired(): boolean {
    return this.options.security.auth;
  }

  /** Decides about one HTTP request (the caller also sends SECURITY_HEADERS with every response). */
  checkRequest(req: IncomingMessage, url: URL): AccessDecision {
    const refusal = this.hostOrOriginRefusal(req, !SAFE_METHODS.has(req.method ?? 'GET'));
    if (refusal) {
      this.logRefusal(req, refusal.status, refusal.body.error);
      return { kind: 'refuse', ...refusal, headers: {} };
    }
    const role = this.authenticate(req, url);
    const pathname = url.pathname;
    const guarded =
      pathname === '/api' ||
      pathname.startsWith('/api/') ||
      pathname === '/qmp' ||
      pathname.startsWith('/qmp/') ||
      // Source maps are the console's source: for those who hold a token, not for any visitor.
      pathname.endsWith('.map');
    if (guarded) {
      if (role === null) {
        this.logRefusal(req, 401, 'no valid token');
        return {
          kind: 'refuse',
          status: 401,
          body: {
            error: 'this console needs its token: open the link printed when it started',
            code: 'token-required',
          },
          headers: BEARER,
        };
      }
      if (role === 'viewer' && !SAFE_METHODS.has(req.method ?? 'GET'))
        return {
          kind: 'refuse',
          status: 403,
          body: { error: 'the viewer role is read-only', code: 'viewer-read-only' },
          headers: {},
        };
      return { kind: 'allow', role };
    }
    // A page: the link printed at start carries the token once, then the cookie does.
    if (url.searchParams.has('token') && (req.method === 'GET' || req.method === 'HEAD')) {
      if (!this.authRequired) return { kind: 'redirect', location: withoutToken(url), headers: {} };
      const landing = this.tokens.roleOf(url.searchParams.get('token') ?? '');
      if (landing === null) {
        this.logRefusal(req, 401, 'wrong token in link');
        return {
          kind: 'refuse',
          status: 401,
          body: "This link's token is not valid for this console. A console without --token makes a new token each time it starts: open the link it printed last.\n",
          headers: {},
        };
      }
      // Secure under our own TLS, or a TLS reverse proxy that says so (a client lying about it only
      // makes its own cookie stricter).
      const secure = this.options.security.tls !== null || req.headers['x-forwarded-proto'] === 'https';
      const cookie = tokenCookie(this.options.cookieName(), url.searchParams.get('token')!, secure);
      return { kind: 'redirect', location: withoutToken(url), headers: { 'set-cookie': cookie } };
    }
    return { kind: 'allow', role };
  }

  /**
   * Decides about `GET /metrics`: Host, then a token (Bearer for a scraper; `?token=` and the cookie
   * work too). The metrics token counts here and nowhere else.
   */
  checkMetrics(
    req: IncomingMessage,
    url: URL,
  ): { kind: 'allow' } | Extract<AccessDecision, { kind: 'refuse' }> {
    const refusal = this.hostOrOriginRefusal(req, false);
    if (refusal) {
      this.logRefusal(req, refusal.status, refusal.body.error);
      return { kind: 'refuse', ...refusal, headers: {} };
    }
    if (!this.authRequired) return { kind: 'allow' };
    const presented = presentedTokens(req, url, this.options.cookieName());
    if (presented.some((t) => this.metricsTokens.roleOf(t) !== null)) return { kind: 'allow' };
    this.logRefusal(req, 401, 'no valid token for /metrics');
    return {
      kind: 'refuse',
      status: 401,
      body: { error: 'GET /metrics needs a token (Authorization: Bearer TOKEN)', code: 'token-required' },
      headers: BEARER,
    };
  }

  /** Decides about a WebSocket upgrade before it happens. */
  checkUpgrade(req: IncomingMessage, url: URL): UpgradeDecision {
    const refusal = this.hostOrOriginRefusal(req, true);
    if (refusal) {
      this.logRefusal(req, refusal.status, refusal.body.error);
      return { kind: 'refuse', status: refusal.status, message: refusal.body.error, headers: {} };
    }
    const role = this.authenticate(req, url);
    if (role === null) {
      this.logRefusal(req, 401, 'no valid token');
      return { kind: 'refuse', status: 401, message: 'this console needs its token', headers: BEARER };
    }
    return { kind: 'allow', role };
  }

  /** `GET /api/session`. */
  session(role: ConsoleRole): SessionInfo {
    const s = this.options.security;
    return {
      role,
      auth: s.auth,
      policy: { readOnly: s.readOnly, deny: [...s.deny], viewerAllow: [...VIEWER_ALLOW] },
    };
  }

  private authenticate(req: IncomingMessage, url: URL): ConsoleRole | null {
    const readOnly = this.options.security.readOnly;
    if (!this.authRequired) return readOnly ? 'viewer' : 'operator';
    for (const candidate of presentedTokens(req, url, this.options.cookieName())) {
      const role = this.tokens.roleOf(candidate);
      if (role !== null) return readOnly ? 'viewer' : role;
    }
    return null;
  }

  private hostOrOriginRefusal(
    req: IncomingMessage,
    checkOrigin: boolean,
  ): { status: number; body: ApiErrorBody } | null {
    const host = req.headers.host;
    if (!hostAllowed(host, this.hostNames))
      return {
        status: 403,
        body: {
          error: `this console does not answer to Host "${String(host).slice(0, 100)}" (add it with --allow-host)`,
          code: 'forbidden-host',
        },
      };
    const origin = req.headers.origin;
    if (checkOrigin && !originAllowed(origin, host, this.options.security.allowOrigins))
      return {
        status: 403,
        body: {
          error: `requests from origin "${String(origin).slice(0, 100)}" are refused (add it with --allow-origin)`,
          code: 'forbidden-origin',
        },
      };
    return null;
  }

  private logRefusal(req: IncomingMessage, status: number, why: string): void {
    log.warn('request refused', {
      status,
      why,
      method: req.method,
      path: maskTokens(req.url ?? '').slice(0, 200),
      remote: req.socket.remoteAddress,
    });
  }
}

/**
 * The request target with every `token` parameter's value masked, recognised as the server reads it:
 * after percent-decoding the name (`?%74oken=` authenticates just as `?token=` does), in any case.
 */
export function maskTokens(target: string): string {
  const q = target.indexOf('?');
  if (q < 0) return target;
  const masked = target
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name: string;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        name = rawName;
      }
      return name.trim().toLowerCase() === 'token' ? `${rawName}=***` : pair;
    })
    .join('&');
  return `${target.slice(0, q + 1)}${masked}`;
}

/** The page's own path and query without the token: never a URL another host could be put into. */
function withoutToken(url: URL): string {
  const params = new URLSearchParams(url.search);
  params.delete('token');
  const query = params.toString();
  return `${url.pathname.replace(/^\/+/, '/')}${query ? `?${query}` : ''}`;
}
