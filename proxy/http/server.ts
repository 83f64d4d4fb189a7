// The console's HTTP server: the SPA, the JSON API and the QMP WebSockets on one origin.
import type http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CONSOLE_STREAM_PATH, QMP_WS_PREFIX } from '../../protocol/api.ts';
import type { ClientContext } from '../../protocol/journal.ts';
import type { ConsoleHub } from '../hub/console-hub.ts';
import { log } from '../log.ts';
import { METRICS_PATH, type MetricsHandler } from '../metrics/metrics-route.ts';
import { type AccessDecision, type AccessGuard, SECURITY_HEADERS } from '../security/access-guard.ts';
import { type ClientLimits, clientLimitProblem } from '../security/client-limits.ts';
import {
  type ConnectionLimits,
  DEFAULT_CONNECTION_LIMITS,
  guardConnections,
} from '../security/connection-limits.ts';
import { createHttpServer, type TlsMaterial } from '../security/console-security.ts';
import type { ConsoleStream } from './console-stream.ts';
import type { GuestRoutes } from './guest-routes.ts';
import type { JournalRoutes } from './journal-routes.ts';
import { createQmpWebSocketServer, refuse, type WebSocketLimits } from './qmp-websocket.ts';
import { sendJson } from './send-json.ts';
import { createStaticHandler } from './static-files.ts';
import type { Admissions } from './stream-admission.ts';

export interface ConsoleServerOptions {
  hub: ConsoleHub;
  staticDir: string;
  limits: WebSocketLimits;
  /** Host, Origin and token checks for every request and upgrade (proxy/security). */
  guard: AccessGuard;
  clientLimits: ClientLimits;
  connectionLimits?: ConnectionLimits;
  /** HTTPS when given. */
  tls: TlsMaterial | null;
  /** The event journal's API (/api/events, /api/alerts, ...), when the console keeps one. */
  journal?: JournalRoutes;
  /** `GET /metrics` for Prometheus (its own token check: --metrics-token opens it and nothing else). */
  metrics?: MetricsHandler;
  /** The guest's API (/api/vms/NAME/screen.png, serial, stats, nics). */
  guest?: GuestRoutes;
  /** `GET /api/stream`, when the console keeps a journal (its alerts and health are in it). */
  stream?: ConsoleStream;
  /** Caps on open event streams (`/api/stream` counts with the journal's) and exports. */
  admissions?: Admissions;
}

export interface ConsoleServer {
  server: http.Server;
  listen(host: string, port: number): Promise<AddressInfo>;
  close(): Promise<void>;
}

/**
 * `/qmp/NAME` with NAME exactly one plain path segment; anything else (`..`, encodings) is not a VM. A
 * fleet console's names are `VM@HOST`, the `@` as is or encoded (`%40`, what encodeURIComponent makes).
 */
export function vmNameFromQmpPath(pathname: string): string | null {
  if (!pathname.startsWith(QMP_WS_PREFIX)) return null;
  const name = pathname.slice(QMP_WS_PREFIX.length).replace(/%40/gi, '@');
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*(@[A-Za-z0-9][A-Za-z0-9_.-]*)?$/.test(name) && !name.includes('..')
    ? name
    : null;
}

/** The request target as a URL; null for what WHATWG URL refuses (`//`, `//[`): that would throw. */
function requestUrl(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://console.invalid');
  } catch {
    return null;
  }
}

/** Sends the guard's refusal or redirect. */
function answerRefusal(res: http.ServerResponse, decision: Exclude<AccessDecision, { kind: 'allow' }>): void {
  for (const [name, value] of Object.entries(decision.headers)) res.setHeader(name, value);
  if (decision.kind === 'redirect') {
    res.writeHead(302, { location: decision.location, 'cache-control': 'no-store' }).end();
  } else if (typeof decision.body === 'string') {
    res.writeHead(decision.status, {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-store',
    });
    res.end(decision.body);
  } else {
    sendJson(res, decision.status, decision.body);
  }
}

export function createConsoleServer(options: ConsoleServerOptions): ConsoleServer {
  const { hub } = options;
  const serveStatic = createStaticHandler(options.staticDir);
  /** `GET /api/vms`: each VM's summary, with the journal's health when there is a journal. */
  const vmList = () => {
    const journal = options.journal?.health();
    return journal ? hub.summaries().map((s) => ({ ...s, journal })) : hub.summaries();
  };
  const qmpSockets = createQmpWebSocketServer(hub, options.limits);

  const server = createHttpServer(options.tls, (req, res) => {
    const url = requestUrl(req.url);
    if (!url) return sendJson(res, 400, { error: 'the request target is not a URL path' });
    const pathname = url.pathname;
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
    // Under the console's own TLS: browsers keep to https for this host from now on.
    if (options.tls) res.setHeader('strict-transport-security', 'max-age=31536000');
    if (pathname === METRICS_PATH && options.metrics) {
      const metricsAccess = options.guard.checkMetrics(req, url);
      if (metricsAccess.kind !== 'allow') return answerRefusal(res, metricsAccess);
      return options.metrics(req, res);
    }
    const access = options.guard.checkRequest(req, url);
    if (access.kind !== 'allow') return answerRefusal(res, access);
    if (access.role) connections.trust(req.socket);
    if (pathname === '/api/session' && req.method === 'GET' && access.role)
      return sendJson(res, 200, options.guard.session(access.role));
    const journalContext = {
      role: access.role ?? 'viewer',
      actor: `${access.role}@${req.socket.remoteAddress}`,
    } as const;
    if (options.journal?.handle(req, res, url, journalContext)) return;
    const client = {
      role: journalContext.role,
      remoteAddress: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
    };
    if (options.guest?.(req, res, url, client)) return;
    if (pathname === CONSOLE_STREAM_PATH && options.stream) {
      if (req.method !== 'GET') {
        res.setHeader('allow', 'GET');
        return sendJson(res, 405, { error: 'method not allowed (use GET)' });
      }
      if (options.admissions && !options.admissions.streams.admit(req, res)) return;
      return options.stream.open(req, res);
    }
    if (pathname === '/api/vms' && req.method === 'GET') return sendJson(res, 200, vmList());
    if (pathname.startsWith('/api/') || pathname === '/api')
      return sendJson(res, 404, { error: `no such API: ${pathname}` });
    if (pathname.startsWith(QMP_WS_PREFIX))
      return sendJson(res, 426, { error: 'this path takes a WebSocket upgrade' });
    // A page for a browser holding a token carries what it asks first: `GET /api/vms`, `/api/session`
    // and the open alerts (every page's banner and the nav's count read them).
    const role = access.role;
    const stream = options.stream;
    const snapshot = role
      ? () => ({
          vms: vmList(),
          session: options.guard.session(role),
          ...(stream ? { alerts: stream.openAlerts() } : {}),
        })
      : undefined;
    serveStatic(req, res, pathname, snapshot).catch((err: unknown) => {
      log.error('static file error', { path: pathname, error: String(err) });
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });

  const connections = guardConnections(server, options.connectionLimits ?? DEFAULT_CONNECTION_LIMITS);
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = requestUrl(req.url);
    if (!url) return refuse(socket, 400, 'the request target is not a URL path');
    const access = options.guard.checkUpgrade(req, url);
    if (access.kind === 'refuse') return refuse(socket, access.status, access.message, access.headers);
    const role = access.role;
    connections.trust(req.socket);
    const name = vmNameFromQmpPath(url.pathname);
    if (name === null) return refuse(socket, 404, `no WebSocket endpoint at ${url.pathname}`);
    if (!hub.get(name)) return refuse(socket, 404, `unknown VM "${name}"`);
    const tooMany = clientLimitProblem(hub, name, options.clientLimits);
    if (tooMany) return refuse(socket, 503, tooMany);
    const context: ClientContext = {
      role,
      remoteAddress: `${req.socket.remoteAddress}:${req.socket.remotePort}`,
    };
    qmpSockets.handleUpgrade(req, socket, head, name, context);
  });
  // As Node answers by default: a kept-alive socket that already carried a response is only closed (a
  // browser retries its next request elsewhere; a 400 there would be read as that request's answer),
  // and a timeout is a 408, which browsers retry too.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (socket.writable && (socket as Socket).bytesWritten === 0) {
      const status =
        err.code === 'ERR_HTTP_REQUEST_TIMEOUT'
          ? '408 Request Timeout'
          : err.code === 'HPE_HEADER_OVERFLOW'
            ? '431 Request Header Fields Too Large'
            : '400 Bad Request';
      socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
    } else socket.destroy();
  });

  return {
    server,
    listen(host, port) {
      return new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      });
    },
    async close() {
      options.journal?.close();
      options.stream?.close();
      qmpSockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
