// The whole console in-process for integration tests: port 0, a temporary data dir, a known token.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type ConsoleConfig, parseCliArgs } from '../config/cli-config.ts';
import { type RunningConsole, type StartOptions, startConsole } from '../console.ts';

export interface TestConsoleOptions {
  /** VM name → QMP unix socket path (QEMU's `-qmp unix:PATH,server=on,wait=off`). */
  vms: Record<string, string>;
  /** Extra command-line flags, e.g. `['--viewer-token', '...', '--deny', 'quit']`. */
  args?: string[];
  /** The operator token; a fixed test token unless given. Pass null for `--no-auth`. */
  token?: string | null;
  /** Passed to startConsole (fast reconnects, an extra onCommand listener, a static dir). */
  start?: StartOptions;
  /** An existing data dir to use (and keep at stop): a restart with the same journal. */
  dataDir?: string;
  /** Environment the flags are read with (QMP_CONSOLE_NATS_PASSWORD, ...), besides HOME. */
  env?: Record<string, string>;
}

export interface TestConsole {
  running: RunningConsole;
  config: ConsoleConfig;
  /** `http://127.0.0.1:PORT/`. */
  url: string;
  token: string | null;
  /** `ws://127.0.0.1:PORT/qmp/NAME`: pass `authHeaders` as the WebSocket's `headers`. */
  wsUrl(vm: string): string;
  /** `{authorization: 'Bearer TOKEN'}` (empty with --no-auth): for fetch and WebSocket alike. */
  authHeaders: Record<string, string>;
  /** fetch(url + path) with the operator's token. */
  api(pathname: string, init?: RequestInit): Promise<Response>;
  dataDir: string;
  stop(): Promise<void>;
}

export const TEST_TOKEN = 'test-operator-token-0123456789';
export const TEST_VIEWER_TOKEN = 'test-viewer-token-0123456789';

/** Flags and data dir of a test console: port 0, a temporary (or given) data dir, the token. */
export function testConsoleConfig(
  opts: Pick<TestConsoleOptions, 'args' | 'token' | 'dataDir' | 'env'> & { vms?: Record<string, string> },
): { config: ConsoleConfig; dataDir: string; token: string | null; ownDir: boolean } {
  const ownDir = opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'qmp-console-test-'));
  const token = opts.token === undefined ? TEST_TOKEN : opts.token;
  const argv = ['--listen', '127.0.0.1:0', '--data-dir', dataDir];
  for (const [name, qmpPath] of Object.entries(opts.vms ?? {}))
    argv.push('--target', `${name}=unix:${qmpPath}`);
  argv.push(...(token === null ? ['--no-auth'] : ['--token', token]), ...(opts.args ?? []));
  const config = parseCliArgs(argv, { HOME: os.homedir(), ...opts.env });
  if (config === 'help') throw new Error('unexpected --help');
  return { config, dataDir, token, ownDir };
}

/** What a test uses to talk to a console at `url`: auth headers, fetch, WebSocket URLs. */
export function testClient(url: string, token: string | null) {
  const authHeaders: Record<string, string> = token === null ? {} : { authorization: `Bearer ${token}` };
  return {
    url,
    token,
    // `@` (a fleet's VM@HOST) encoded as the SPA encodes it.
    wsUrl: (vm: string) => `${url.replace(/^http/, 'ws')}qmp/${encodeURIComponent(vm)}`,
    authHeaders,
    api: (pathname: string, init: RequestInit = {}) =>
      fetch(new URL(pathname.replace(/^\//, ''), url), {
        ...init,
        headers: { ...authHeaders, ...(init.headers as Record<string, string> | undefined) },
      }),
  };
}

export async function startTestConsole(opts: TestConsoleOptions): Promise<TestConsole> {
  const { config, dataDir, token, ownDir } = testConsoleConfig(opts);
  let running: RunningConsole;
  try {
    running = await startConsole(config, opts.start);
  } catch (err) {
    if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
  return {
    running,
    config,
    ...testClient(running.url, token),
    dataDir,
    async stop() {
      await running.stop();
      if (ownDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
