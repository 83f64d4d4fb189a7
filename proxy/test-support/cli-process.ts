// The `qmp-console` command as a child process, as a person runs it: its ready line, its API, its exit.
import { type ChildProcess, spawn } from 'node:child_process';
import type { VmSummary } from '../../protocol/api.ts';

const running: ChildProcess[] = [];

/** Kills every CLI this module started and is still running (call from afterEach). */
export function killCliProcesses(): void {
  for (const p of running.splice(0)) p.kill('SIGKILL');
}

/** Starts the CLI and resolves with the URL of its ready line. */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ child: ChildProcess; url: URL; stderr: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'proxy/main.ts', ...args], {
    env: { ...process.env, QMP_CONSOLE_LOG: 'warn', ...env },
  });
  running.push(child);
  let out = '';
  let err = '';
  child.stderr!.on('data', (d) => {
    err += d;
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line in 30 s; stderr: ${err}`)), 30_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /open (https?:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: new URL(m[1]!), stderr: () => err });
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code} before the ready line; stderr: ${err}`)));
  });
}

/** `GET /api/vms` with the token of the ready line's link. */
export async function cliVms(url: URL): Promise<VmSummary[]> {
  const res = await fetch(new URL('/api/vms', url), {
    headers: { authorization: `Bearer ${url.searchParams.get('token')}` },
  });
  return (await res.json()) as VmSummary[];
}

/** Polls `fn` until it returns something other than undefined. */
export async function until<T>(fn: () => Promise<T | undefined>, what: string, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The child's exit code once it has exited. */
export const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.on('exit', (code) => resolve(code));
  });
