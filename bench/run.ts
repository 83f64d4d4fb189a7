// `npm run bench`: every figure beside its reference, measured in one run on this machine. Prints a
// table, writes bench/results/latest.json, docs/benchmarks.md and README's block (from the same run,
// naming the commit), and exits with status 1 when a section could not run.
// `tsx bench/run.ts --only latency,storm` runs some sections (for work on one of them).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { formatTable, Report } from './lib/report.ts';
import { type Rig, startRig } from './lib/rig.ts';
import { ROOT } from './lib/servers.ts';
import { type Machine, writeBenchmarksDoc, writeReadmeBlock } from './lib/write-doc.ts';
import { abuseSection } from './sections/abuse.ts';
import { fleetSection } from './sections/fleet.ts';
import { idleRssSection } from './sections/idle-rss.ts';
import { journalSection } from './sections/journal.ts';
import { latencySection } from './sections/latency.ts';
import { longRunningSection } from './sections/long-running.ts';
import { metricsSection } from './sections/metrics.ts';
import { spaSection } from './sections/spa.ts';
import { stormSection } from './sections/storm.ts';
import { throughputSection } from './sections/throughput.ts';

interface Section {
  name: string;
  title: string;
  /** Needs the shared rig (QEMU, console, websockify, bridge, fake server). */
  rig: boolean;
  run(report: Report, rig: Rig | null): Promise<void>;
}

const sections: Section[] = [
  {
    name: 'latency',
    title: '1. Command latency (query-status, sequential)',
    rig: true,
    run: (r, rig) => latencySection(rig!, r),
  },
  {
    name: 'throughput',
    title: '2. Pipelined throughput (200 in flight)',
    rig: true,
    run: (r, rig) => throughputSection(rig!, r),
  },
  { name: 'storm', title: '3. Event storm and fan-out', rig: true, run: (r, rig) => stormSection(rig!, r) },
  { name: 'journal', title: '4. Journal (1,000,000 events)', rig: false, run: (r) => journalSection(r) },
  { name: 'spa', title: '5. SPA', rig: true, run: (r, rig) => spaSection(rig, r) },
  { name: 'idle', title: '6. Idle console memory', rig: false, run: (r) => idleRssSection(r) },
  { name: 'metrics', title: '7. Prometheus metrics', rig: false, run: (r) => metricsSection(r) },
  {
    name: 'long-running',
    title: '8. Watching long-running work',
    rig: false,
    run: (r) => longRunningSection(r),
  },
  { name: 'fleet', title: '9. Fleet on NATS JetStream', rig: false, run: (r) => fleetSection(r) },
  {
    name: 'abuse',
    title: '10. One client cannot stall everyone',
    rig: false,
    run: (r) => abuseSection(r),
  },
];

/** `some avg60` of /proc/pressure/cpu: the share of time some task waited for a CPU, or null. */
function cpuPressure(): number | null {
  try {
    return Number(
      /some avg10=[\d.]+ avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1] ?? Number.NaN,
    );
  } catch {
    return null;
  }
}

/** The commit measured, `+dirty` when the work tree differs from it. */
function commitMeasured(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return 'unknown';
  }
}

function machine(): Omit<Machine, 'cpuPressure'> {
  const cpu =
    /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model;
  let qemu = '';
  try {
    qemu = execFileSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' }).split('\n')[0]!;
  } catch {}
  return {
    nproc: os.availableParallelism(),
    cpu,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    kernel: os.release(),
    /** 1-minute load average when the run started: others' work on a shared machine shows here. */
    loadAverage: Math.round(os.loadavg()[0]! * 10) / 10,
    node: process.version,
    qemu,
  };
}

async function main(): Promise<number> {
  const only = (() => {
    const i = process.argv.indexOf('--only');
    return i === -1 ? null : new Set(process.argv[i + 1]!.split(','));
  })();
  const chosen = sections.filter((s) => only === null || only.has(s.name));
  const report = new Report();
  const started = Date.now();
  const date = new Date().toISOString();
  const facts = machine();
  const commit = commitMeasured();
  const pressureAtStart = cpuPressure();
  if (!existsSync(path.join(ROOT, 'dist/proxy/console.js'))) {
    for (const s of chosen) report.skip(s.title, 'the proxy is not built (run `npm run build`)');
    chosen.length = 0;
  }
  let rig: Rig | null = null;
  let rigError: string | null = null;
  try {
    for (const section of chosen) {
      const t0 = Date.now();
      process.stderr.write(`bench: ${section.title} …\n`);
      try {
        if (section.rig && rig === null && rigError === null) {
          try {
            rig = await startRig();
          } catch (err) {
            rigError = err instanceof Error ? err.message : String(err);
          }
        }
        if (section.rig && rig === null)
          report.skip(section.title, `could not start QEMU and the proxies: ${rigError}`);
        else await section.run(report, rig);
      } catch (err) {
        report.skip(section.title, `failed: ${err instanceof Error ? err.message : String(err)}`);
      }
      report.seconds[section.name] = Math.round((Date.now() - t0) / 100) / 10;
    }
  } finally {
    await rig?.stop();
  }
  const totalSeconds = Math.round((Date.now() - started) / 1000);
  const result = {
    date,
    commit,
    machine: { ...facts, cpuPressure: { start: pressureAtStart, end: cpuPressure() } } satisfies Machine,
    totalSeconds,
    sectionSeconds: report.seconds,
    consoleEntry: rig?.console.entry ?? null,
    rows: report.rows,
    skipped: report.skipped,
    data: report.data,
  };
  process.stdout.write(`\n${formatTable(report)}\n\n`);
  const m = result.machine;
  process.stdout.write(
    `${m.nproc} CPUs (${m.cpu}), ${m.memoryGiB} GiB, ${m.qemu}, Node ${m.node}; load average ${m.loadAverage}, ` +
      `CPU pressure ${m.cpuPressure.start}% → ${m.cpuPressure.end}% (PSI some avg60); ${totalSeconds} s\n`,
  );
  mkdirSync(path.join(ROOT, 'bench/results'), { recursive: true });
  const jsonPath = path.join(ROOT, 'bench/results/latest.json');
  writeFileSync(jsonPath, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(`JSON: ${path.relative(process.cwd(), jsonPath)}\n`);
  if (only === null) {
    writeBenchmarksDoc(report, result.machine, result.date, totalSeconds, commit);
    writeReadmeBlock(report, result.machine, result.date, commit);
    process.stdout.write('Markdown: docs/benchmarks.md, README.md\n');
  }
  const misses = report.rows.filter((r) => r.verdict === 'miss').length;
  process.stdout.write(
    `${misses} goal${misses === 1 ? '' : 's'} missed; ${report.skipped.length} section(s) failed\n`,
  );
  for (const s of report.skipped) process.stderr.write(`bench: ${s.section}: ${s.why}\n`);
  return report.skipped.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
