// The console's HTTP server: the SPA, the JSON API and the QMP WebSockets on one origin.
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { QMP_WS_PREFIX } from '../../protocol/api.ts';
import type { ClientContext } from '../hub/client-transport.ts';
import type { Hub } from '../hub/hub.ts';
import { log } from '../log.ts';
import type { AccessGuard } from '../security/access-guard.ts';
import { type ClientLimits, clientLimitProblem } from '../security/client-limits.ts';
import {
  type ConnectionLimits,
  DEFAULT_CONNECTION_LIMITS,
  guardConnections,
} from '../security/connection-limits.ts';
import { createHttpServer, type TlsMaterial } from '../security/console-security.ts';
import type { JournalRoutes } from './journal-routes.ts';
import { createQmpWebSocketServer, refuse, type WebSocketLimits } from './qmp-websocket.ts';
import { sendJson } from './send-json.ts';
import { createStaticHandler } from './static-files.ts';

export interface ConsoleServerOptions {
  hub: Hub;
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
}

export interface ConsoleServer {
  server: http.Server;
  listen(host: string, port: number): Promise<AddressInfo>;
  close(): Promise<void>;
}

/** `/qmp/NAME` with NAME exactly one plain path segment; anything else (`..`, encodings) is not a VM. */
export function vmNameFromQmpPath(pathname: string): string | null {
  if (!pathname.startsWith(QMP_WS_PREFIX)) return null;
  const name = pathname.slice(QMP_WS_PREFIX.length);
  return /^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(name) && !name.includes('..') ? name : null;
}

/** The request target as a URL; null for what WHATWG URL refuses (`//`, `//[`): that would throw. */
function requestUrl(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://console.invalid');
  } catch {
    return null;
  }
}

export function createConsoleServer(options: ConsoleServerOptions): ConsoleServer {
  const { hub } = options;
  const serveStatic = createStaticHandler(options.staticDir);
  const qmpSockets = createQmpWebSocketServer(hub, options.limits);

  const server = createHttpServer(options.tls, (req, res) => {
    const url = requestUrl(req.url);
    if (!url) return sendJson(res, 400, { error: 'the request target is not a URL path' });
    const pathname = url.pathname;
    const access = options.guard.checkRequest(req, res, url);
    if (!access) return;
    if (access.role) connections.trust(req.socket);
    if (pathname === '/api/session' && req.method === 'GET' && access.role)
      return sendJson(res, 200, options.guard.session(access.role));
    const journalContext = {
      role: access.role ?? 'viewer',
      actor: `${access.role}@${req.socket.remoteAddress}`,
    } as const;
    if (options.journal?.handle(req, res, url, journalContext)) return;
    if (pathname === '/api/vms' && req.method === 'GET') {
      const journal = options.journal?.health();
      return sendJson(res, 200, journal ? hub.summaries().map((s) => ({ ...s, journal })) : hub.summaries());
    }
    if (pathname.startsWith('/api/') || pathname === '/api')
      return sendJson(res, 404, { error: `no such API: ${pathname}` });
    if (pathname.startsWith(QMP_WS_PREFIX))
      return sendJson(res, 426, { error: 'this path takes a WebSocket upgrade' });
    serveStatic(req, res, pathname).catch((err: unknown) => {
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
    const role = options.guard.checkUpgrade(req, socket, url);
    if (role === null) return;
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
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
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
      qmpSockets.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
