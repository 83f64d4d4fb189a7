// 1. Command latency: sequential query-status round trips, direct vs the console vs websockify vs the
// bare bridge, in interleaved rounds (the order rotates each round) so drift hits every path alike.
import { roundTrips } from '../lib/measure.ts';
import type { Report } from '../lib/report.ts';
import { PATHS, type PathName, type Rig } from '../lib/rig.ts';
import { median, percentile, ratio, round } from '../lib/stats.ts';

const ROUNDS = 5;
const PER_ROUND = 800;
// Round trips on each path before the measured rounds. Node's optimising compiler (the console's and
// the bare bridge's) still finishes functions of the command path over the first ~2,000: with 300, the
// console's first round medians ran 876, 760, 701, 691, 690 µs, a start-up cost, not its added latency.
const WARM_UP = 2000;
const SECTION = '1. Command latency (query-status, sequential)';

const label: Record<PathName, string> = {
  direct: "direct to QEMU's unix socket",
  console: 'through the console (WebSocket)',
  websockify: 'through websockify (binary frames)',
  bridge: 'through the bare ws↔net bridge',
};

export async function latencySection(rig: Rig, report: Report): Promise<void> {
  for (const path of PATHS) {
    const link = await rig.open(path);
    await roundTrips(link, WARM_UP);
    await link.close();
  }
  const samples = Object.fromEntries(PATHS.map((p) => [p, [] as number[]])) as Record<PathName, number[]>;
  const roundMedians = Object.fromEntries(PATHS.map((p) => [p, [] as number[]])) as Record<
    PathName,
    number[]
  >;
  for (let r = 0; r < ROUNDS; r++) {
    const order = PATHS.map((_, i) => PATHS[(i + r) % PATHS.length]!);
    for (const path of order) {
      const link = await rig.open(path);
      await roundTrips(link, 50);
      const s = await roundTrips(link, PER_ROUND);
      await link.close();
      samples[path].push(...s);
      roundMedians[path].push(median(s));
    }
  }
  const p50 = (p: PathName) => percentile(samples[p], 50);
  const p99 = (p: PathName) => percentile(samples[p], 99);
  const added = (p: PathName) => p50(p) - p50('direct');
  const d50 = p50('direct');

  report.data.latency = {
    rounds: ROUNDS,
    perRound: PER_ROUND,
    paths: Object.fromEntries(
      PATHS.map((p) => [
        p,
        {
          n: samples[p].length,
          p50Us: round(p50(p)),
          p99Us: round(p99(p)),
          addedP50Us: round(added(p)),
          ratioP50: round(ratio(p50(p), d50)),
          roundMediansUs: roundMedians[p].map(round),
        },
      ]),
    ),
  };

  report.info({
    section: SECTION,
    figure: `p50 ${label.direct}`,
    value: d50,
    unit: 'µs',
    reference: 'issue: ≈ 490 µs (2-core TCG)',
    versus: `${samples.direct.length} round trips`,
  });
  report.info({ section: SECTION, figure: `p99 ${label.direct}`, value: p99('direct'), unit: 'µs' });
  const r = ratio(p50('console'), d50);
  report.goal({
    section: SECTION,
    figure: `p50 ${label.console}`,
    value: p50('console'),
    unit: 'µs',
    reference: `direct ${round(d50)} µs`,
    versus: `×${round(r)} (goal ≤ ×1.2)`,
    ok: r <= 1.2,
  });
  const worst = PATHS.reduce((w, p) => (p99(p) > p99(w) ? p : w), PATHS[0]);
  report.goal({
    section: SECTION,
    figure: `p99 ${label.console}`,
    value: p99('console'),
    unit: 'µs',
    reference: `direct ${round(p99('direct'))} µs; worst path: ${worst} ${round(p99(worst))} µs`,
    versus: `×${round(ratio(p99('console'), p99('direct')))} (goal: not the worst path)`,
    ok: worst !== 'console',
  });
  report.goal({
    section: SECTION,
    figure: 'added p50 by the console',
    value: added('console'),
    unit: 'µs',
    reference: `websockify +${round(added('websockify'))}, bridge +${round(added('bridge'))} µs`,
    versus: 'goal: below both',
    ok: added('console') < added('websockify') && added('console') < added('bridge'),
  });
  for (const path of ['websockify', 'bridge'] as const) {
    report.info({
      section: SECTION,
      figure: `p50 ${label[path]}`,
      value: p50(path),
      unit: 'µs',
      reference: path === 'websockify' ? 'issue: ×1.40–1.46' : 'issue: ×1.22–1.27',
      versus: `×${round(ratio(p50(path), d50))}, +${round(added(path))} µs, p99 ${round(p99(path))} µs`,
    });
  }
}
