// The processes the paths run through: the console (the built proxy, as its own process so its CPU and
// memory can be read from /proc), Debian's websockify, the bare byte bridge and the fake QMP server.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../proxy/test-support/free-port.ts';
import { type Child, sleep, spawnChild } from './processes.ts';

export { freePort };

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BENCH_TOKEN = 'bench-operator-token-0123456789';

export interface ConsoleProcess {
  pid: number;
  port: number;
  /** `http://127.0.0.1:PORT/` */
  url: string;
  token: string;
  /** Which entry ran: `bin/qmp-console.js` or the fallback `bench/console-child.mjs`. */
  entry: string;
  wsUrl(vm: string): string;
  /** `{authorization: 'Bearer …'}` for WebSockets and fetch. */
  headers: Record<string, string>;
  /** What the console wrote to stderr (warnings and errors: it runs with QMP_CONSOLE_LOG=warn). */
  stderr(): string;
  stop(): Promise<void>;
}

/**
 * The built console with the given VMs (name → QMP socket path). Runs `bin/qmp-console.js`, what
 * operators run; while its demo module is not built yet, `bench/console-child.mjs` (the same
 * startConsole without the demo VM).
 */
export async function startConsoleProcess(
  vms: Record<string, string>,
  extraArgs: string[] = [],
): Promise<ConsoleProcess> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'qmpb-console-'));
  const cliReady =
    existsSync(path.join(ROOT, 'dist/proxy/main.js')) &&
    existsSync(path.join(ROOT, 'dist/proxy/demo/demo-vm.js'));
  const entry = cliReady ? 'bin/qmp-console.js' : 'bench/console-child.mjs';
  const args = ['--listen', '127.0.0.1:0', '--data-dir', dataDir, '--token', BENCH_TOKEN, ...extraArgs];
  for (const [name, socketPath] of Object.entries(vms)) args.push('--target', `${name}=unix:${socketPath}`);
  // e.g. BENCH_CONSOLE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the console.
  const nodeArgs = (process.env.BENCH_CONSOLE_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawnChild('console', process.execPath, [...nodeArgs, path.join(ROOT, entry), ...args], {
    cwd: ROOT,
    env: { ...process.env, QMP_CONSOLE_LOG: 'warn' },
  });
  try {
    const m = await child.waitForLine(/open (https?:\/\/[^/\s]+\/)/, 20_000);
    const url = m[1]!;
    const port = Number(new URL(url).port);
    return {
      pid: child.pid,
      port,
      url,
      token: BENCH_TOKEN,
      entry,
      wsUrl: (vm) => `${url.replace(/^http/, 'ws')}qmp/${vm}`,
      headers: { authorization: `Bearer ${BENCH_TOKEN}` },
      stderr: () => child.stderr(),
      async stop() {
        await child.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await child.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}

/** Waits until the VM is connected in the console (its /api/vms entry says so). */
export async function waitConsoleConnected(
  c: ConsoleProcess,
  vms: string[],
  timeoutMs = 15_000,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(`${c.url}api/vms`, { headers: c.headers });
      const list = (await res.json()) as { name: string; state: string }[];
      if (vms.every((name) => list.some((v) => v.name === name && v.state === 'connected'))) return;
    } catch {}
    if (Date.now() > until)
      throw new Error(`console: VMs ${vms.join(', ')} not connected in ${timeoutMs} ms`);
    await sleep(50);
  }
}

async function waitForPort(port: number, what: string, child: Child, timeoutMs = 10_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (child.child.exitCode !== null) throw new Error(`${what} exited: ${child.stderr().slice(-1000)}`);
    if (Date.now() > until) throw new Error(`${what}: port ${port} not open in ${timeoutMs} ms`);
    await sleep(50);
  }
}

export interface WsServer {
  pid: number;
  url: string;
  stop(): Promise<void>;
}

/** Debian's websockify in front of a unix socket: binary frames carry QMP's bytes. */
export async function startWebsockify(unixTarget: string): Promise<WsServer> {
  const port = await freePort();
  const child = spawnChild('websockify', 'websockify', [`127.0.0.1:${port}`, `--unix-target=${unixTarget}`]);
  try {
    await waitForPort(port, 'websockify', child);
  } catch (err) {
    await child.stop();
    throw err;
  }
  return { pid: child.pid, url: `ws://127.0.0.1:${port}/`, stop: () => child.stop() };
}

/** A bench script (TypeScript, through tsx) as its own process. */
export function tsxChild(name: string, file: string, args: string[], stdin = false): Child {
  return spawnChild(name, process.execPath, ['--import', 'tsx', path.join(ROOT, file), ...args], {
    cwd: ROOT,
    stdin,
  });
}

/** The bare `ws`↔`net` bridge (bench/byte-bridge.ts) in front of a unix socket. */
export async function startByteBridge(unixTarget: string): Promise<WsServer> {
  const child = tsxChild('byte-bridge', 'bench/byte-bridge.ts', [unixTarget]);
  try {
    const m = await child.waitForLine(/^listening (\d+)/);
    return { pid: child.pid, url: `ws://127.0.0.1:${m[1]}/`, stop: () => child.stop() };
  } catch (err) {
    await child.stop();
    throw err;
  }
}

/** The instant fake QMP server (bench/fake-qmp-server.ts) on a fresh unix socket. */
export async function startFakeQmp(): Promise<{ pid: number; socketPath: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qmpb-fake-'));
  const socketPath = path.join(dir, 'fake.qmp');
  const child = tsxChild('fake-qmp', 'bench/fake-qmp-server.ts', [socketPath]);
  try {
    await child.waitForLine(/^listening /);
  } catch (err) {
    await child.stop();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    pid: child.pid,
    socketPath,
    async stop() {
      await child.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
