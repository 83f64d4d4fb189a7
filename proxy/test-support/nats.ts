// A real `nats-server -js` for the integration and e2e tests: a free port on loopback, a temporary store,
// killed when the test process ends however it ends. kill9() and restart() (same port, same store) let a
// test take NATS away mid-flight the way a crash would.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.ts';
import { killOnExit } from './kill-on-exit.ts';

export const NATS_SERVER = process.env.NATS_SERVER ?? '/usr/sbin/nats-server';

export interface TestNats {
  /** `nats://127.0.0.1:PORT`. */
  url: string;
  port: number;
  /** The JetStream store directory (kept across kill9/restart, removed by stop). */
  storeDir: string;
  /** SIGKILL: no flush, no goodbye to clients. Resolves once the process is gone. */
  kill9(): Promise<void>;
  /** Starts it again on the same port with the same store and configuration. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export interface TestNatsOptions {
  /**
   * Extra `nats-server` configuration text (accounts, authorization); the port, JetStream store and
   * loopback address are added by the helper.
   */
  config?: string;
}

const live = new Set<ChildProcess>();
const dirs = new Set<string>();

function killAll(): void {
  for (const child of live) child.kill('SIGKILL');
  live.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

function installHandlers(): void {
  killOnExit(killAll);
}

export async function startTestNats(options: TestNatsOptions = {}): Promise<TestNats> {
  installHandlers();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qmp-console-nats-'));
  dirs.add(dir);
  const storeDir = path.join(dir, 'store');
  const port = await freePort();
  const configPath = path.join(dir, 'nats.conf');
  writeFileSync(
    configPath,
    `listen: "127.0.0.1:${port}"\njetstream { store_dir: ${JSON.stringify(storeDir)} }\n${options.config ?? ''}\n`,
  );
  let child: ChildProcess | null = null;

  const launch = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const proc = spawn(NATS_SERVER, ['-c', configPath], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = proc;
      live.add(proc);
      let log = '';
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Server is ready')) {
          proc.stderr!.off('data', onData);
          proc.stderr!.resume();
          resolve();
        }
      };
      proc.stderr!.on('data', onData);
      proc.once('error', (err) =>
        reject(
          new Error(
            `cannot start ${NATS_SERVER}: ${err.message} (install it: sudo apt-get install nats-server)`,
          ),
        ),
      );
      proc.once('exit', (code, signal) => {
        live.delete(proc);
        reject(new Error(`nats-server exited (${code ?? signal}) before it was ready:\n${log.slice(-2000)}`));
      });
    });

  const kill9 = async (): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGKILL');
    });
    live.delete(proc);
  };

  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    kill9,
    restart: async () => {
      await kill9();
      await launch();
    },
    stop: async () => {
      await kill9();
      rmSync(dir, { recursive: true, force: true });
      dirs.delete(dir);
    },
  };
}
