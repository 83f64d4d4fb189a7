// Debian's real Prometheus, Alertmanager and promtool for the monitoring tests: each server on a free
// port with a temporary config and storage, killed when the test process ends however it ends; and a
// webhook receiver standing in for the pager. A missing program fails with the install hint: no skips.
import { type ChildProcess, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.ts';
import { killOnExit } from './kill-on-exit.ts';

const INSTALL_HINT = 'install it with `node scripts/system-packages.mjs prometheus alertmanager` (as root)';

const live = new Set<{ child: ChildProcess; dir: string }>();

function killAll(): void {
  for (const entry of live) {
    entry.child.kill('SIGKILL');
    rmSync(entry.dir, { recursive: true, force: true });
  }
  live.clear();
}

function installHandlers(): void {
  killOnExit(killAll);
}

export interface ProgramRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `program args` to completion, `input` on its stdin. */
export function runProgram(
  program: string,
  args: string[],
  input?: string,
  cwd?: string,
): Promise<ProgramRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new Error(`${program} not found: ${INSTALL_HINT}`) : err),
    );
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(input ?? '');
  });
}

export interface MonitoringServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  port: number;
  dir: string;
  /** Its output so far, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts `program` with the config written to a fresh temporary directory and waits for `GET /-/ready`
 * (both Prometheus and Alertmanager serve it). `args` receives the directory, the config path and the port.
 */
async function startServer(
  program: string,
  configYaml: string,
  args: (dir: string, configFile: string, port: number) => string[],
  readyTimeoutMs = 30_000,
): Promise<MonitoringServer> {
  installHandlers();
  const dir = await mkdtemp(path.join(os.tmpdir(), `qmp-console-${path.basename(program)}-`));
  const configFile = path.join(dir, 'config.yml');
  await writeFile(configFile, configYaml);
  const port = await freePort();
  const child = spawn(program, args(dir, configFile, port), { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const entry = { child, dir };
  live.add(entry);
  let output = '';
  const keep = (d: Buffer) => {
    output = (output + d.toString()).slice(-64 * 1024);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<string>((resolve) => {
    child.on('error', (err: NodeJS.ErrnoException) =>
      resolve(err.code === 'ENOENT' ? `${program} not found: ${INSTALL_HINT}` : String(err)),
    );
    child.on('exit', (code, signal) => resolve(`${program} exited (${code ?? signal})`));
  });
  const url = `http://127.0.0.1:${port}`;
  const server: MonitoringServer = {
    url,
    port,
    dir,
    log: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      live.delete(entry);
      await rm(dir, { recursive: true, force: true });
    },
  };
  const deadline = Date.now() + readyTimeoutMs;
  let failed: string | null = null;
  void exited.then((why) => {
    failed = why;
  });
  while (failed === null) {
    const ready = await fetch(`${url}/-/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (ready) return server;
    if (Date.now() > deadline) failed = `${program} not ready within ${readyTimeoutMs} ms`;
    else await Promise.race([exited, new Promise((r) => setTimeout(r, 100))]);
  }
  await server.stop();
  throw new Error(`${failed}\n${output.slice(-4000)}`);
}

/** Prometheus with its TSDB in the temporary directory; `configYaml` may name files written beside it. */
export function startPrometheus(configYaml: string): Promise<MonitoringServer> {
  return startServer('prometheus', configYaml, (dir, config, port) => [
    `--config.file=${config}`,
    `--storage.tsdb.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ]);
}

/** Alertmanager alone (no cluster gossip port), its state in the temporary directory. */
export function startAlertmanager(configYaml: string): Promise<MonitoringServer> {
  return startServer('prometheus-alertmanager', configYaml, (dir, config, port) => [
    `--config.file=${config}`,
    `--storage.path=${path.join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    '--log.level=warn',
  ]);
}

/** One notification as Alertmanager's webhook sends it (version 4), as far as the tests read it. */
export interface WebhookNotification {
  status: 'firing' | 'resolved';
  receiver: string;
  alerts: { status: string; labels: Record<string, string>; annotations: Record<string, string> }[];
}

export interface WebhookReceiver {
  url: string;
  received: WebhookNotification[];
  /** Resolves with the first notification (already received or still to come) that matches. */
  waitFor(match: (n: WebhookNotification) => boolean): Promise<WebhookNotification>;
  stop(): Promise<void>;
}

/** The pager: an HTTP server that keeps every POSTed notification. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: WebhookNotification[] = [];
  const waiters = new Set<() => void>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      try {
        received.push(JSON.parse(body) as WebhookNotification);
      } catch {}
      res.writeHead(200).end();
      for (const w of [...waiters]) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/qmp-alerts`,
    received,
    waitFor(match) {
      return new Promise((resolve) => {
        const check = () => {
          const found = received.find(match);
          if (!found) return;
          waiters.delete(check);
          resolve(found);
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
