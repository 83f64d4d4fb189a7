// docs/benchmarks.md: the latest full run's table, with the machine it came from, and how to read it.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { findings } from './findings.ts';
import { formatMarkdown, type Report } from './report.ts';
import { ROOT } from './servers.ts';

export interface Machine {
  nproc: number;
  cpu: string | undefined;
  memoryGiB: number;
  kernel: string;
  node: string;
  qemu: string;
  loadAverage: number;
  /** /proc/pressure/cpu `some avg60` (% of time some task waited for a CPU) at the start and the end. */
  cpuPressure: { start: number | null; end: number | null };
}

export function writeBenchmarksDoc(
  report: Report,
  machine: Machine,
  date: string,
  totalSeconds: number,
  commit: string,
): void {
  const misses = report.rows.filter((r) => r.verdict === 'miss');
  const pressure =
    machine.cpuPressure.start === null
      ? ''
      : ` CPU pressure (PSI \`some avg60\`) ${machine.cpuPressure.start}% at the start, ${machine.cpuPressure.end}% at the end;`;
  const text = `# Benchmarks

\`npm run bench\` measures every figure beside its reference, in one run on one machine, and
writes this page and \`bench/results/latest.json\` (not in git). It checks the system packages (QEMU,
Chromium, websockify), builds the proxy and the SPA, then runs \`tsx bench/run.ts\`; it is not part of
\`npm test\`. Machines here are noisy: every comparison is made within the run, in interleaved rounds,
with medians.

## Latest figures

${date.slice(0, 16).replace('T', ' ')} UTC, commit \`${commit}\`: ${machine.nproc} CPUs (${machine.cpu}), ${machine.memoryGiB} GiB RAM,
${machine.qemu}, Node ${machine.node}, Linux ${machine.kernel}; load average ${machine.loadAverage} at the
start;${pressure} the run took ${totalSeconds} s after the build.

${formatMarkdown(report)}

${
  misses.length === 0
    ? 'Every goal was met in this run.'
    : `Goals missed in this run (see [What this run shows](#what-this-run-shows)):\n\n${misses
        .map(
          (m) =>
            `- ${m.section.replace(/^\d+\. /, '')}: ${m.figure}: ${m.value.toLocaleString('en-US')} ${m.unit}, ${m.versus}`,
        )
        .join('\n')}`
}

## How each figure is measured

All QMP traffic is real: one QEMU 7.2 (TCG, \`-S\`, a disk on ide.0 that fails every read through
\`blkdebug\` with \`rerror=stop\`, and a second \`-qmp\` monitor). The console runs as its own process
(\`bin/qmp-console.js\`, the built proxy, with a token and \`QMP_CONSOLE_LOG=warn\`: no audit lines on
stderr, which the bench would have to drain), so its CPU time and memory come from
\`/proc/PID/stat\` and \`/proc/PID/status\`. It holds QEMU's first monitor; the direct, websockify and
bridge clients take turns on the second (a monitor serves one client at a time; two monitors of one
QEMU are independent).

1. **Command latency**: sequential \`query-status\` round trips (5 rounds × 4 paths × 800, after 2,000 on
   each path to warm Node's optimising compiler up; the order of the paths rotates each round): direct to QEMU's unix socket; through the console
   (a Node \`ws\` client, one JSON text per frame); through Debian's \`websockify --unix-target\` and through
   \`bench/byte-bridge.ts\` (a bare \`ws\`↔\`net\` bridge), both carrying raw QMP bytes in binary frames.
   p50/p99 of all samples; "added" is the p50 minus direct's. Every client negotiates QEMU's \`oob\`
   capability when the greeting offers it, as the console does upstream.
2. **Pipelined throughput**: 200 \`query-status\` in flight for 1 s per round, 3 interleaved rounds,
   median; against QEMU, and against \`bench/fake-qmp-server.ts\`, an instant QMP server (a load
   generator) where the path itself is the limit.
3. **Event storm**: \`cont\` after each \`STOP\` (each \`cont\` retries SeaBIOS's failing read: RESUME,
   BLOCK_IO_ERROR, STOP). *Rate*: the driver on each path in turn, events/s QEMU emitted (medians of 3
   interleaved rounds), plus QEMU's TCP monitors with and without \`nodelay=on\`. *Fan-out*: the storm
   driven on the second monitor by \`bench/storm-driver.ts\` (its own process, as a guest retrying a disk
   would), watched through the console by 1, 10 and 100 WebSocket clients (bare RFC 6455 readers, 25 to
   a process of their own, \`bench/watchers-child.ts\`, so that no one process's queue is measured) and
   one SSE stream of the journal (\`/api/vms/NAME/events/stream\`, read by the bench itself).
   Three interleaved rounds of 1.5 s for each client count, each round beginning with the same driver
   alone (no watcher): QEMU's events/s against that driver-alone rate (the driver in this process,
   warm, on the first path, is a different driver), share delivered (every client must get every
   event, in every round), delay from QEMU's own timestamp to receipt (the median round's p50/p99), the
   console's CPU seconds per 10,000 events beside this process's own for reading the watchers, and the
   console's peak RSS (VmHWM).
4. **Journal**: \`runJournalBench()\` from \`bench/journal-bench.ts\` (the journal's own bench): events
   arrive 500 per event-loop turn, each batch is appended to the log before delivery, SQLite is filled
   behind, and the time runs until SQLite holds them all.
5. **SPA**: in Chromium (\`/usr/bin/chromium\`, a fresh context per navigation, the first navigation
   discarded): time from navigation start to the painted frame that shows QEMU's real run state in
   \`role=status name="Run state"\`, and the bytes Chromium received for that first page (CDP
   \`encodedDataLength\` of every finished request until the load event and 0.5 s after: headers and
   compressed bodies, the WebSocket not counted). Beside it, gzip -9 of the JS and CSS that
   \`dist/web/index.html\` loads and of the whole app. Then \`/vms/NAME/events\` open during a real
   10,000-event storm: long tasks (PerformanceObserver \`longtask\`: longest, and total blocking time =
   Σ(duration − 50 ms)), rendered rows, and after 100,000 storm events the JS heap (CDP, after a forced GC).
6. **Idle memory**: the console's RSS with 10 QEMUs (\`-m 32\`) and 100 WebSocket clients (10 per VM)
   connected and negotiated, 3 s after the last one.

## What this run shows

${findings(report, machine.cpuPressure)
  .map((f) => `- ${f}`)
  .join('\n')}

## QEMU over TCP: turn Nagle off

QEMU's \`-qmp tcp:\` keeps Nagle's algorithm on unless \`nodelay=on\` is given: an event followed by a reply
waits for the peer's delayed ACK (the *tcp* rows above). Give QEMU a unix socket (\`-qmp unix:/run/vm.qmp,server=on,wait=off\`) or, for TCP,
\`-qmp tcp:HOST:PORT,server=on,wait=off,nodelay=on\`.

## Running parts of it, profiling

- \`npx tsx bench/run.ts --only latency,throughput,storm,journal,spa,idle\` runs the named sections on the
  current build (\`npm run build\` first); only a full run rewrites this page.
- \`BENCH_CONSOLE_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'\` passes Node flags to the console
  process.
- A section that cannot run says \`skipped: why\` in the table, the others go on, and \`npm run bench\`
  exits with status 1.
`;
  writeFileSync(path.join(ROOT, 'docs/benchmarks.md'), text);
}

const README_START = '<!-- bench:start -->';
const README_END = '<!-- bench:end -->';

/** The README's performance block: the goals of this run, with the run's date, commit and machine. */
export function writeReadmeBlock(report: Report, machine: Machine, date: string, commit: string): void {
  const file = path.join(ROOT, 'README.md');
  const readme = readFileSync(file, 'utf8');
  const a = readme.indexOf(README_START);
  const b = readme.indexOf(README_END);
  if (a < 0 || b < a) return;
  const goals = report.rows.filter((r) => r.verdict !== 'info');
  const met = goals.filter((r) => r.verdict === 'pass').length;
  const pressure =
    machine.cpuPressure.start === null
      ? ''
      : `, CPU pressure ${machine.cpuPressure.start}% → ${machine.cpuPressure.end}%`;
  const block = [
    README_START,
    `Latest full run: ${date.slice(0, 16).replace('T', ' ')} UTC, commit \`${commit}\`, ${machine.nproc} CPUs (${machine.cpu}), ` +
      `${machine.qemu.replace(/^QEMU emulator version /, 'QEMU ')}, Node ${machine.node}; load average ${machine.loadAverage}${pressure}. ` +
      `${met} of ${goals.length} goals met.`,
    '',
    '| goal | this run | |',
    '|---|---|---|',
    ...goals.map(
      (r) =>
        `| ${r.section.replace(/^\d+\. /, '')}: ${r.figure} | ${r.value.toLocaleString('en-US')} ${r.unit}${r.versus ? `, ${r.versus}` : ''} | ${r.verdict} |`,
    ),
    ...report.skipped.map((s) => `| ${s.section} | failed: ${s.why} | miss |`),
    README_END,
  ].join('\n');
  writeFileSync(file, readme.slice(0, a) + block + readme.slice(b + README_END.length));
  // The README is linted with the code: lay the table out as the formatter would, so `npm test` stays green.
  execFileSync(path.join(ROOT, 'node_modules', '.bin', 'biome'), ['format', '--write', file], {
    stdio: 'ignore',
  });
}
