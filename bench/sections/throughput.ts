// 2. Pipelined throughput: 200 query-status in flight, against QEMU and against the instant fake QMP
// server (a load generator: there the paths themselves are the limit). Interleaved rounds, medians.

import { pipelined } from '../lib/measure.ts';
import { cpuSeconds } from '../lib/processes.ts';
import type { Report } from '../lib/report.ts';
import { PATHS, type PathName, type Rig } from '../lib/rig.ts';
import { median, ratio, round } from '../lib/stats.ts';

const ROUNDS = 3;
const ROUND_MS = 1000;
const WARM_UP_MS = 400;
const WINDOW = 200;
const SECTION = '2. Pipelined throughput (200 in flight)';

async function measure(rig: Rig, backend: 'qemu' | 'fake') {
  const rates = Object.fromEntries(PATHS.map((p) => [p, [] as number[]])) as Record<PathName, number[]>;
  let consoleCpu = 0;
  let consoleCommands = 0;
  for (const path of PATHS) {
    const link = await rig.open(path, backend);
    await pipelined(link, WARM_UP_MS, WINDOW);
    await link.close();
  }
  for (let r = 0; r < ROUNDS; r++) {
    for (const path of PATHS.map((_, i) => PATHS[(i + r) % PATHS.length]!)) {
      const link = await rig.open(path, backend);
      const cpu0 = cpuSeconds(rig.console.pid);
      const t = await pipelined(link, ROUND_MS, WINDOW);
      if (path === 'console') {
        consoleCpu += cpuSeconds(rig.console.pid) - cpu0;
        consoleCommands += t.commands;
      }
      await link.close();
      rates[path].push(t.perSecond);
    }
  }
  const perSecond = Object.fromEntries(PATHS.map((p) => [p, median(rates[p])])) as Record<PathName, number>;
  return { rates, perSecond, consoleCpuUsPerCommand: (consoleCpu / consoleCommands) * 1e6 };
}

export async function throughputSection(rig: Rig, report: Report): Promise<void> {
  const qemu = await measure(rig, 'qemu');
  const fake = await measure(rig, 'fake');
  report.data.throughput = {
    window: WINDOW,
    rounds: ROUNDS,
    roundMs: ROUND_MS,
    qemu: { perSecond: mapRound(qemu.perSecond), rounds: qemu.rates },
    fake: {
      perSecond: mapRound(fake.perSecond),
      rounds: fake.rates,
      consoleCpuUsPerCommand: round(fake.consoleCpuUsPerCommand),
    },
  };
  const d = qemu.perSecond.direct;
  report.info({
    section: SECTION,
    figure: 'QEMU direct on its unix socket',
    value: d,
    unit: 'cmd/s',
    reference: 'issue: ≈ 2,000 cmd/s (QEMU-bound)',
  });
  const r = ratio(qemu.perSecond.console, d);
  report.goal({
    section: SECTION,
    figure: 'QEMU through the console',
    value: qemu.perSecond.console,
    unit: 'cmd/s',
    reference: `direct ${round(d)} cmd/s`,
    versus: `×${round(r)} (goal ≥ ×0.95)`,
    ok: r >= 0.95,
  });
  for (const path of ['websockify', 'bridge'] as const)
    report.info({
      section: SECTION,
      figure: `QEMU through ${path}`,
      value: qemu.perSecond[path],
      unit: 'cmd/s',
      reference: `direct ${round(d)} cmd/s`,
      versus: `×${round(ratio(qemu.perSecond[path], d))}`,
    });
  report.goal({
    section: SECTION,
    figure: 'fake QMP server through the console',
    value: fake.perSecond.console,
    unit: 'cmd/s',
    reference: `websockify ${round(fake.perSecond.websockify)}, bridge ${round(fake.perSecond.bridge)} cmd/s`,
    versus: 'goal ≥ 50,000 cmd/s',
    ok: fake.perSecond.console >= 50_000,
  });
  report.info({
    section: SECTION,
    figure: 'fake server through websockify',
    value: fake.perSecond.websockify,
    unit: 'cmd/s',
    reference: 'issue: ≈ 22,000 cmd/s',
  });
  report.info({
    section: SECTION,
    figure: 'fake server through the bare bridge',
    value: fake.perSecond.bridge,
    unit: 'cmd/s',
    reference: 'issue: ≈ 54,000 cmd/s',
  });
  report.info({
    section: SECTION,
    figure: 'console CPU per command (fake server)',
    value: fake.consoleCpuUsPerCommand,
    unit: 'µs',
  });
}

function mapRound(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, round(v)]));
}
