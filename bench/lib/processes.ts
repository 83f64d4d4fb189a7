// Child processes of the bench (QEMU, websockify, the console, the bridge, the fake server): each is
// registered when spawned and killed by its pid when done, on error, on Ctrl-C and at exit.
import { type ChildProcess, spawn } from 'node:child_process';
import {
  closeSync,
  fstatSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const running = new Map<number, { name: string; child: ChildProcess | null }>();

/** Tracks a process spawned elsewhere (QEMU through launchQemu) so a crash or Ctrl-C still kills it. */
export function trackPid(name: string, pid: number): () => void {
  running.set(pid, { name, child: null });
  return () => running.delete(pid);
}

function killNow(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {}
}

/** The children's stderr files (see spawnChild), removed at exit. */
let stderrDir: string | null = null;

process.on('exit', () => {
  for (const pid of running.keys()) killNow(pid);
  if (stderrDir) rmSync(stderrDir, { recursive: true, force: true });
});

/** The last `n` bytes of the file open at `fd`, as text. */
function tail(fd: number, n: number): string {
  const size = fstatSync(fd).size;
  const buf = Buffer.alloc(Math.min(n, size));
  readSync(fd, buf, 0, buf.length, size - buf.length);
  return buf.toString();
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    for (const pid of running.keys()) killNow(pid);
    process.exit(130);
  });
}

export interface Child {
  name: string;
  pid: number;
  child: ChildProcess;
  /** Everything the child wrote to stderr so far (for error messages). */
  stderr(): string;
  /** Resolves with the first stdout line matching `pattern` (its match), or rejects on exit/timeout. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

export function spawnChild(
  name: string,
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: boolean } = {},
): Child {
  // stderr goes to a file, not through this process: the console writes an audit line per command,
  // and reading them here would wake the process measuring its round trips once more per command.
  stderrDir ??= mkdtempSync(path.join(os.tmpdir(), 'qmp-bench-'));
  const errFd = openSync(path.join(stderrDir, `${name}-${running.size}-${Date.now()}.err`), 'w+', 0o600);
  const child = spawn(command, args, {
    stdio: [options.stdin ? 'pipe' : 'ignore', 'pipe', errFd],
    env: options.env ?? process.env,
    cwd: options.cwd,
  });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const pid = child.pid;
  running.set(pid, { name, child });
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      exitedErr = tail(errFd, 20_000);
      closeSync(errFd);
      running.delete(pid);
      resolve();
    });
  });
  child.on('error', () => {});
  let exitedErr = '';
  const err = () => (exited ? exitedErr : tail(errFd, 20_000));
  let out = '';
  const lineWaiters = new Set<() => void>();
  child.stdout!.on('data', (d: Buffer) => {
    if (out.length < 100_000) out += d.toString();
    for (const w of [...lineWaiters]) w();
  });
  child.once('exit', () => {
    for (const w of [...lineWaiters]) w();
  });

  return {
    name,
    pid,
    child,
    stderr: err,
    waitForLine(pattern, timeoutMs = 15_000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          lineWaiters.delete(check);
          reject(new Error(`${name}: no line matching ${pattern} within ${timeoutMs} ms; stderr: ${err()}`));
        }, timeoutMs);
        const check = () => {
          for (const line of out.split('\n')) {
            const m = pattern.exec(line);
            if (m) {
              clearTimeout(timer);
              lineWaiters.delete(check);
              resolve(m);
              return;
            }
          }
          if (exited) {
            clearTimeout(timer);
            lineWaiters.delete(check);
            reject(new Error(`${name} exited early (code ${child.exitCode}); stderr: ${err().slice(-2000)}`));
          }
        };
        lineWaiters.add(check);
        check();
      });
    },
    async stop(graceMs = 3000) {
      if (exited) return;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {}
      const timer = setTimeout(() => killNow(pid), graceMs);
      await exitedPromise;
      clearTimeout(timer);
    },
  };
}

/** utime + stime of a process, in seconds (from /proc/PID/stat; 100 ticks a second on Linux). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name is in parentheses and may contain spaces: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of stat(5) are utime and stime; after ')' the third field is number 3.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** VmRSS and VmHWM (peak RSS) in MiB, from /proc/PID/status. */
export function memoryMiB(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rss: kib('VmRSS') / 1024, peak: kib('VmHWM') / 1024 };
}

/**
 * Starts a new peak (VmHWM) from the current RSS (`5` to /proc/PID/clear_refs, Linux ≥ 4.0), so a
 * section's peak is its own and not an earlier section's. False when the kernel refuses.
 */
export function resetPeakRss(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` every `everyMs` until it returns true; throws `what` after `timeoutMs`. */
export async function waitUntil(
  check: () => boolean,
  what: string,
  timeoutMs = 10_000,
  everyMs = 20,
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}
