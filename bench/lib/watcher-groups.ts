// The fan-out's WebSocket watchers in child processes (bench/watchers-child.ts), up to
// WATCHERS_PER_PROCESS each, driven line by line. The processes last for the section; each round
// opens its watchers in them and closes them after.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { cpuSeconds } from './processes.ts';
import { tsxChild } from './servers.ts';

const WATCHERS_PER_PROCESS = 25;

export interface WatcherGroups {
  /** Connects `n` watchers, spread over the processes. */
  open(n: number): Promise<void>;
  /** Counts and delays start again, in every process. */
  reset(): Promise<void>;
  /** Storm events each open watcher has seen. */
  counts(): Promise<number[]>;
  /** Every open watcher's delays, in ms. */
  delays(): Promise<number[]>;
  /** Closes the open watchers. */
  closeWatchers(): Promise<void>;
  /** CPU seconds the watchers' processes have used. */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** Processes for up to `maxWatchers` watchers of `url`. */
export async function startWatcherGroups(
  url: string,
  headers: Record<string, string>,
  maxWatchers: number,
): Promise<WatcherGroups> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'qmp-bench-watchers-'));
  const groups = Array.from({ length: Math.ceil(maxWatchers / WATCHERS_PER_PROCESS) }, (_, i) => {
    const file = path.join(dir, `delays-${i}`);
    const child = tsxChild('watchers', 'bench/watchers-child.ts', [url, JSON.stringify(headers), file], true);
    const waiting: ((line: string) => void)[] = [];
    readline.createInterface({ input: child.child.stdout! }).on('line', (line) => waiting.shift()?.(line));
    const exited = new Promise<never>((_, reject) =>
      child.child.once('exit', (code) =>
        reject(new Error(`watchers process exited (code ${code}): ${child.stderr().slice(-1000)}`)),
      ),
    );
    exited.catch(() => {});
    const next = () => Promise.race([new Promise<string>((resolve) => waiting.push(resolve)), exited]);
    const ask = (command: string) => {
      const answer = next();
      child.child.stdin!.write(`${command}\n`);
      return answer;
    };
    return { child, file, ready: next(), ask, open: 0 };
  });
  const stop = async () => {
    await Promise.all(groups.map((g) => g.child.stop()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const g of groups)
      if ((await g.ready) !== 'ready') throw new Error('watchers process: no ready line');
  } catch (err) {
    await stop();
    throw err;
  }
  const active = () => groups.filter((g) => g.open > 0);
  return {
    async open(n) {
      if (n > groups.length * WATCHERS_PER_PROCESS) throw new Error(`at most ${maxWatchers} watchers`);
      groups.forEach((g, i) => {
        g.open = Math.max(0, Math.min(WATCHERS_PER_PROCESS, n - i * WATCHERS_PER_PROCESS));
      });
      await Promise.all(active().map((g) => g.ask(`open ${g.open}`)));
    },
    async reset() {
      await Promise.all(active().map((g) => g.ask('reset')));
    },
    async counts() {
      const lines = await Promise.all(active().map((g) => g.ask('counts')));
      return lines.flatMap((line) => JSON.parse(line.slice('counts '.length)) as number[]);
    },
    async delays() {
      await Promise.all(active().map((g) => g.ask('collect')));
      return active().flatMap((g) => {
        const b = readFileSync(g.file);
        return [...new Float64Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length))];
      });
    },
    async closeWatchers() {
      await Promise.all(active().map((g) => g.ask('close')));
      for (const g of groups) g.open = 0;
    },
    cpuSeconds: () => groups.reduce((s, g) => s + cpuSeconds(g.child.pid), 0),
    stop,
  };
}
