// Assembles the console: the hub of VM sessions, the HTTP/WebSocket server, the plain QMP sockets.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConsoleConfig } from './config/cli-config.ts';
import type { Target } from './config/target-address.ts';
import { createConsoleServer } from './http/server.ts';
import { Hub } from './hub/hub.ts';
import { listenQmpSocket, type QmpSocketListener } from './listen/qmp-socket-listener.ts';
import type { UpstreamOptions } from './qmp/upstream-session.ts';

export interface RunningConsole {
  url: string;
  port: number;
  hub: Hub;
  stop(): Promise<void>;
}

/** The built SPA: `dist/web`, beside the compiled proxy in `dist/proxy` or from the sources. */
export function defaultStaticDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', here.includes(`${path.sep}dist${path.sep}`) ? 'web' : 'dist/web');
}

export interface StartOptions {
  /** Targets to use instead of config.targets (the demo VM's, for instance). */
  targets?: Target[];
  staticDir?: string;
  upstream?: UpstreamOptions;
}

export async function startConsole(
  config: ConsoleConfig,
  options: StartOptions = {},
): Promise<RunningConsole> {
  mkdirSync(config.dataDir, { recursive: true });
  const targets = options.targets ?? config.targets;
  const hub = new Hub(targets, {
    upstream: { maxLineBytes: config.limits.maxLineBytes, ...options.upstream },
    session: { maxInFlight: config.limits.maxInFlight, maxBufferedBytes: config.limits.maxBufferedBytes },
  });
  hub.start();
  const server = createConsoleServer({
    hub,
    staticDir: options.staticDir ?? defaultStaticDir(),
    limits: { maxFrameBytes: config.limits.maxFrameBytes, heartbeatMs: config.limits.heartbeatMs },
  });
  const listeners: QmpSocketListener[] = [];
  try {
    for (const l of config.listenQmp)
      listeners.push(await listenQmpSocket(hub.get(l.name)!, l.path, config.limits.maxLineBytes));
    const address = await server.listen(config.listen.host, config.listen.port);
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    return {
      url: `http://${host}:${address.port}/`,
      port: address.port,
      hub,
      async stop() {
        await Promise.all(listeners.map((l) => l.close()));
        await server.close();
        await hub.stop();
      },
    };
  } catch (err) {
    await Promise.all(listeners.map((l) => l.close()));
    await hub.stop();
    throw err;
  }
}
