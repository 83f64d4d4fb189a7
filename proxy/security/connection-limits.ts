// Connections before any token is seen: bounded in total and per remote address, with short header
// timeouts, so half-open connections cannot use up the console's file descriptors. A connection that
// has shown a valid token is never the one given up: at a cap, the oldest connection that has not is
// closed to make room, so authenticated clients keep being served during a flood.
import type http from 'node:http';
import type net from 'node:net';
import { log } from '../log.ts';

export interface ConnectionLimits {
  /** `--max-connections`: open TCP connections in total. */
  maxConnections: number;
  /** `--max-connections-per-address`: open TCP connections from one remote address. */
  maxConnectionsPerAddress: number;
  /** `--header-timeout-ms`: time a connection has to send a request's headers. */
  headerTimeoutMs: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = {
  maxConnections: 1024,
  maxConnectionsPerAddress: 256,
  headerTimeoutMs: 10_000,
};

export interface ConnectionGuard {
  /** A request or upgrade on this socket carried a valid token (or none is needed). */
  trust(socket: net.Socket): void;
  readonly stats: { open: number; evicted: number };
}

export function guardConnections(server: http.Server, limits: ConnectionLimits): ConnectionGuard {
  server.headersTimeout = limits.headerTimeoutMs;
  // The whole request (headers and body) of an API call; event streams and WebSockets are responses
  // and upgraded sockets, which this does not cover.
  server.requestTimeout = Math.max(limits.headerTimeoutMs * 3, 30_000);
  // Untrusted connections, oldest first (a Set keeps insertion order).
  const untrusted = new Set<net.Socket>();
  const perAddress = new Map<string, number>();
  const trusted = new WeakSet<net.Socket>();
  let open = 0;
  const stats = { open: 0, evicted: 0 };
  let lastWarn = 0;

  const evictOldest = (address: string | null): boolean => {
    for (const s of untrusted) {
      if (address !== null && s.remoteAddress !== address) continue;
      untrusted.delete(s);
      s.destroy();
      stats.evicted++;
      return true;
    }
    return false;
  };

  // `connection` is the raw TCP socket for HTTP and HTTPS alike, before any TLS handshake or bytes.
  server.on('connection', (socket: net.Socket) => {
    const address = socket.remoteAddress ?? '?';
    const full = () =>
      open >= limits.maxConnections || (perAddress.get(address) ?? 0) >= limits.maxConnectionsPerAddress;
    if (full()) {
      if ((perAddress.get(address) ?? 0) >= limits.maxConnectionsPerAddress) evictOldest(address);
      else evictOldest(null);
      const now = Date.now();
      if (now - lastWarn > 10_000) {
        lastWarn = now;
        log.warn('connection limit reached: closing the oldest connections without a token', {
          open,
          maxConnections: limits.maxConnections,
          maxConnectionsPerAddress: limits.maxConnectionsPerAddress,
          evicted: stats.evicted,
        });
      }
    }
    open++;
    perAddress.set(address, (perAddress.get(address) ?? 0) + 1);
    stats.open = open;
    untrusted.add(socket);
    socket.once('close', () => {
      open--;
      stats.open = open;
      const n = (perAddress.get(address) ?? 1) - 1;
      if (n === 0) perAddress.delete(address);
      else perAddress.set(address, n);
      untrusted.delete(socket);
    });
    // Nothing to make room with (every connection holds a token): this one goes.
    if (open > limits.maxConnections || (perAddress.get(address) ?? 0) > limits.maxConnectionsPerAddress)
      socket.destroy();
  });

  return {
    trust(socket) {
      if (trusted.has(socket)) return;
      trusted.add(socket);
      untrusted.delete(socket);
    },
    stats,
  };
}
